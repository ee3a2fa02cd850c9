-- wrk script for mint-bench.sh: one request shape per run, the agents' tokens taken in turn.
--   wrk ... -s mint.lua <url> -- broker   <tokens file> <connection> <access>
--   wrk ... -s mint.lua <url> -- keycloak <tokens file> <connection> <access> <broker client secret file>
-- "keycloak" is the exchange identity-broker sends (KeycloakTokenClient, quarkus.oidc-client.*), sent
-- straight to Keycloak's token endpoint.
local tokens = {}
local at = 0
local body_of

local function file_line(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*l")
  f:close()
  return s
end

local function form(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local mode, connection, access = args[1], args[3], args[4]
  for line in io.lines(args[2]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  at = math.random(#tokens)
  local scope = "conn:" .. connection .. ":" .. access
  if mode == "broker" then
    local body = '{"connection":"' .. connection .. '","access":"' .. access .. '"}'
    body_of = function(t)
      return wrk.format("POST", nil, { ["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json" }, body)
    end
  else
    local at_type = form("urn:ietf:params:oauth:token-type:access_token")
    local fixed = "grant_type=" .. form("urn:ietf:params:oauth:grant-type:token-exchange")
      .. "&client_id=identity-broker&client_secret=" .. form(file_line(args[5]))
      .. "&subject_token_type=" .. at_type .. "&requested_token_type=" .. at_type
      .. "&audience=session-proxy&scope=" .. form(scope) .. "&subject_token="
    body_of = function(t)
      return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, fixed .. t)
    end
  end
end

function request()
  at = at % #tokens + 1
  return body_of(tokens[at])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
