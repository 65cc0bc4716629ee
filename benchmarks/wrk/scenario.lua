-- One wrk script for every scenario; benchmarks/run.py describes each scenario in two files:
--
--   BENCH_ACTIONS  one action per line, tab-separated: weight, name, method, path, body, pool
--                  (path and body may use {csrf} {started} {score} {n} {comment}; pool is
--                  "none", or the reader pool whose cookies and address the request carries)
--   BENCH_READERS  one simulated reader per line, tab-separated: pool, address (sent as
--                  X-Forwarded-For, as the proxy in front would), Cookie header, CSRF token,
--                  comment-form "started" token. run.py fetched each reader's cookie and
--                  tokens from the page before the run, as a browser would.
--   BENCH_THREADS  how many wrk threads (run.py gives each thread one connection, so a
--                  response always belongs to the thread's last request).
--   BENCH_COMMENTS comma-separated comment ids that reports may name.
--
-- done() prints one line "BENCH_JSON {...}": latency percentiles, errors, and per action
-- how many requests succeeded (status below 400) and failed.

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

local function read_rows(path)
  local rows = {}
  if path and path ~= "" then
    for line in io.lines(path) do
      if line ~= "" then
        rows[#rows + 1] = split(line)
      end
    end
  end
  return rows
end

local actions, total_weight = {}, 0
for _, f in ipairs(read_rows(os.getenv("BENCH_ACTIONS"))) do
  total_weight = total_weight + tonumber(f[1])
  actions[#actions + 1] = { upto = total_weight, name = f[2], method = f[3], path = f[4], body = f[5], pool = f[6] }
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

local simple = #actions == 1 and actions[1].method == "GET" and actions[1].pool == "none"

if simple then
  -- A fixed request: no Lua per request, so the client costs as little as possible.
  wrk.method = "GET"
  wrk.path = actions[1].path
else
  local pools, cursor, comments = {}, {}, {}
  local nthreads, serial, current = 1, 0, nil
  ok, failed = {}, {}

  function init(args)
    nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
    math.randomseed(id * 7919)
    -- Each thread takes every nthreads-th reader, so no two threads share a reader.
    local index = 0
    for _, f in ipairs(read_rows(os.getenv("BENCH_READERS"))) do
      index = index + 1
      if index % nthreads == id - 1 then
        pools[f[1]] = pools[f[1]] or {}
        table.insert(pools[f[1]], { addr = f[2], cookie = f[3], csrf = f[4], started = f[5] })
      end
    end
    for comment_id in (os.getenv("BENCH_COMMENTS") or ""):gmatch("%d+") do
      comments[#comments + 1] = comment_id
    end
    for _, action in ipairs(actions) do
      ok[action.name], failed[action.name] = 0, 0
    end
  end

  local function next_reader(pool)
    local readers = pools[pool]
    cursor[pool] = (cursor[pool] or 0) % #readers + 1
    return readers[cursor[pool]]
  end

  function request()
    local pick, action = math.random() * total_weight, actions[#actions]
    for _, candidate in ipairs(actions) do
      if pick < candidate.upto then
        action = candidate
        break
      end
    end
    current = action.name
    serial = serial + 1
    local headers, values = {}, {
      score = tostring(math.random(1, 5)),
      n = string.format("%d-%d-%d", id, serial, os.time()),
      comment = comments[math.random(1, math.max(#comments, 1))] or "0",
    }
    if action.pool ~= "none" then
      local reader = next_reader(action.pool)
      headers["Cookie"] = reader.cookie
      headers["X-Forwarded-For"] = reader.addr
      values.csrf, values.started = reader.csrf, reader.started
    end
    local function fill(text)
      return (text:gsub("{(%w+)}", values))
    end
    local body = nil
    if action.method == "POST" then
      body = fill(action.body)
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    return wrk.format(action.method, fill(action.path), headers, body)
  end

  function response(status, headers, body)
    if status < 400 then
      ok[current] = ok[current] + 1
    else
      failed[current] = failed[current] + 1
    end
  end
end

local function json_counts(name)
  local totals, parts = {}, {}
  for _, thread in ipairs(threads) do
    local counts = thread:get(name)
    if counts then
      for key, value in pairs(counts) do
        totals[key] = (totals[key] or 0) + value
      end
    end
  end
  for key, value in pairs(totals) do
    parts[#parts + 1] = string.format('"%s": %d', key, value)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"ok": %s, "failed": %s}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout,
    simple and "{}" or json_counts("ok"), simple and "{}" or json_counts("failed")
  ))
end
