import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/index';
import type { GeoCoordinates } from '../../src/client/commands';
import { protocolSuites } from './protocols';

const resp = protocolSuites();

const palermo = { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' };
const catania = { longitude: 15.087269, latitude: 37.502669, member: 'Catania' };

/** Geo positions go through a 52-bit geohash: compare to 5 decimals (about a metre). */
function near(actual: GeoCoordinates | null | undefined, expected: { longitude: number; latitude: number }): void {
  assert.ok(actual);
  assert.ok(Math.abs(actual.longitude - expected.longitude) < 1e-5, `longitude ${actual.longitude}`);
  assert.ok(Math.abs(actual.latitude - expected.latitude) < 1e-5, `latitude ${actual.latitude}`);
}

for (const protocol of [3, 2] as const) {
  describe(`geo over RESP${protocol}`, () => {
    let c: RedisClient;
    const same = resp.connect(protocol, (client) => (c = client));

    test('geoadd with options / geopos / geodist / geohash', async () => {
      assert.equal(same(await c.geoadd('g:sicily', [palermo, catania])), 2);
      assert.equal(same(await c.geoadd('g:sicily', { ...palermo, longitude: 13.4 }, { NX: true })), 0);
      assert.equal(same(await c.geoadd('g:sicily', { ...palermo, longitude: 13.4 }, { XX: true, CH: true })), 1);
      assert.equal(same(await c.geoadd('g:sicily', palermo, { CH: true })), 1);
      const positions = same(await c.geopos('g:sicily', 'Palermo', 'Nowhere', 'Catania'));
      near(positions[0], palermo);
      assert.equal(positions[1], null);
      near(positions[2], catania);
      assert.equal(same(await c.geodist('g:sicily', 'Palermo', 'Catania')), 166274.1516);
      assert.equal(same(await c.geodist('g:sicily', 'Palermo', 'Catania', 'km')), 166.2742);
      assert.equal(same(await c.geodist('g:sicily', 'Palermo', 'Nowhere')), null);
      assert.deepEqual(same(await c.geohash('g:sicily', 'Palermo', 'Nowhere')), ['sqc8b49rny0', null]);
    });

    test('geosearch from a member or a position, by radius or box, with ORDER and COUNT', async () => {
      await c.geoadd('g:sicily', { longitude: 12.758489, latitude: 38.788135, member: 'edge1' });
      const fromPoint = { longitude: 15, latitude: 37 };
      assert.deepEqual(same(await c.geosearch('g:sicily', fromPoint, { radius: 200, unit: 'km' }, { ORDER: 'ASC' })), [
        'Catania',
        'Palermo',
      ]);
      assert.deepEqual(
        same(
          await c.geosearch(
            'g:sicily',
            { member: 'Palermo' },
            { width: 400, height: 400, unit: 'km' },
            { ORDER: 'DESC', COUNT: 2 },
          ),
        ),
        ['Catania', 'edge1'],
      );
      assert.deepEqual(
        same(await c.geosearch('g:sicily', fromPoint, { radius: 500, unit: 'km' }, { COUNT: { count: 1, ANY: true } }))
          .length,
        1,
      );
    });

    test('geosearchWith: distance, hash and coordinates as numbers', async () => {
      const results = await c.geosearchWith(
        'g:sicily',
        { longitude: 15, latitude: 37 },
        { radius: 200, unit: 'km' },
        { WITHDIST: true, WITHHASH: true, WITHCOORD: true },
        { ORDER: 'ASC' },
      );
      assert.equal(results.length, 2);
      assert.deepEqual(same(results.map(({ member, distance, hash }) => ({ member, distance, hash }))), [
        { member: 'Catania', distance: 56.4413, hash: 3479447370796909 },
        { member: 'Palermo', distance: 190.4424, hash: 3479099956230698 },
      ]);
      near(results[0].coordinates, catania);
      const distOnly = await c.geosearchWith(
        'g:sicily',
        { member: 'Catania' },
        { radius: 1, unit: 'km' },
        { WITHDIST: true },
      );
      assert.deepEqual(same(distOnly), [{ member: 'Catania', distance: 0 }]);
      const hashOnly = await c.geosearchWith(
        'g:sicily',
        { member: 'Catania' },
        { radius: 1, unit: 'km' },
        { WITHHASH: true },
      );
      assert.deepEqual(same(hashOnly), [{ member: 'Catania', hash: 3479447370796909 }]);
    });

    test('geosearchstore with and without STOREDIST', async () => {
      const center = { longitude: 15, latitude: 37 };
      assert.equal(same(await c.geosearchstore('g:near', 'g:sicily', center, { radius: 200, unit: 'km' })), 2);
      near((await c.geopos('g:near', 'Catania'))[0], catania);
      assert.equal(
        same(
          await c.geosearchstore(
            'g:dist',
            'g:sicily',
            center,
            { radius: 200, unit: 'km' },
            { STOREDIST: true, COUNT: 1 },
          ),
        ),
        1,
      );
      const [stored] = await c.zrangeWithScores('g:dist', 0, -1);
      assert.equal(stored.value, 'Catania');
      assert.ok(Math.abs(stored.score - 56.4413) < 0.001);
    });
  });
}

resp.compare();
