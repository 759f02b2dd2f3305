-- wrk script: POST the JSON bodies listed in BODIES (a file of paths), round robin, with
-- the bearer token in TOKEN. Each wrk thread starts at a different body.
local bodies = {}
local next_body = 1
local token = os.getenv("TOKEN")

function init(args)
  for path in io.lines(os.getenv("BODIES")) do
    local f = assert(io.open(path, "rb"))
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
  next_body = (math.random(#bodies))
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/check", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
