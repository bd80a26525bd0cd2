import { runDemo } from './demo';

const USAGE = `romaine — a Redis client for Node.js that is right when the network is wrong

Usage:
  romaine demo            start a throwaway redis-server, tour the client, crash the server, watch it recover
  romaine --help          this text
`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'demo':
      return runDemo();
    default:
      process.stderr.write(`romaine: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`romaine: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
