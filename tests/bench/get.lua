-- wrk script: GET with the token from the environment; prints one summary line for the benchmark.
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
local session = os.getenv("BENCH_SESSION")
if session and session ~= "" then wrk.headers["Cookie"] = "sessionid=" .. session end

done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %.3f %.3f\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
