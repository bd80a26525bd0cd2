/**
 * A Lua busy loop: `client.eval(BUSY_SCRIPT, [], [ms])` keeps the server busy for `ms` milliseconds
 * (it runs nothing else meanwhile, and answers -BUSY to others past busy-reply-threshold).
 */
export const BUSY_SCRIPT = `local s = redis.call('TIME')
while true do
  local n = redis.call('TIME')
  if (n[1] - s[1]) * 1000000 + (n[2] - s[2]) >= tonumber(ARGV[1]) * 1000 then break end
end
return 'done'`;
