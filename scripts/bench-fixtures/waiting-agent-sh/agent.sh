# The concurrency benchmark's agent without an interpreter (scripts/bench-concurrency.sh --agent shell): the
# same one chat call through the gateway as waiting-agent/agent.py, made by curl, the answer saved in the
# workspace. Its own CPU is a few milliseconds, so what the benchmark measures is the engine's.
curl -sSf --max-time 60 -o answer.txt \
    -H "Authorization: Bearer $OPENAI_API_KEY" -H 'Content-Type: application/json' \
    -d '{"model": "stub", "messages": [{"role": "user", "content": "Say anything."}]}' \
    "${OPENAI_BASE_URL%/}/chat/completions"
