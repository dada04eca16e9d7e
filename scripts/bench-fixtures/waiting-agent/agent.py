"""The agent of the concurrency benchmark: one chat call through the gateway (whose model, the stub,
waits a fixed delay before it answers), the answer saved in the workspace, nothing else."""
import json
import os
import urllib.request

body = json.dumps({"model": "stub", "messages": [{"role": "user", "content": "Say anything."}]}).encode()
request = urllib.request.Request(
    os.environ["OPENAI_BASE_URL"].rstrip("/") + "/chat/completions",
    data=body,
    headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]},
)
with urllib.request.urlopen(request, timeout=60) as response:
    answer = json.load(response)["choices"][0]["message"]["content"]
with open("answer.txt", "w") as f:
    f.write(answer)
