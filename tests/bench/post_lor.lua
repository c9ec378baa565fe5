-- wrk script: POST one Letter of Request per call as the Polish liaison (token from the environment),
-- each with an Idempotency-Key of its own, as a liaison's system sends them.
local body = [[{"country": "PL", "implementing_agency": "B", "request_type": "LOA", "title": "Bench LOR",
  "justification": "Load test.", "funding_source": "national_funds", "desired_delivery_date": "2030-01-31",
  "line_items": [{"description": "FGM-148 Javelin", "capability": "anti-armor", "quantity": 10,
                  "unit_cost_usd": "200000.00", "is_mde": true}]}]]
local threads, made = 0, 0

setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end

request = function()
  made = made + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN"),
    ["Idempotency-Key"] = string.format("%s-%d-%d", os.getenv("BENCH_RUN"), id, made),
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %.3f %.3f\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
