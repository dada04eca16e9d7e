"""Tests for seeds/agents/coding-agent: a scripted OpenAI-compatible stub on 127.0.0.1 stands in
for the gateway, and the agent runs as a subprocess through its agent.yaml run line.

    /usr/bin/python3 -m unittest discover -s Tests/agents
"""
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AGENT_DIR = os.path.join(ROOT, "seeds", "agents", "coding-agent")
TOKEN = "per-task-token"


def tool(call):
    return "I will do this:\n```tool\n%s\n```\n" % json.dumps(call)


class StubModel:
    """An OpenAI-compatible chat endpoint whose replies come from `script(index, body)`."""

    def __init__(self, script):
        self.script = script
        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                      "body": body})
                reply = stub.script(len(stub.requests) - 1, body)
                if isinstance(reply, str):
                    reply = {"content": reply}
                extra = reply.pop("_extra", {})
                data = {"id": "stub-%d" % len(stub.requests), "object": "chat.completion",
                        "model": body.get("model"),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": dict({"role": "assistant"}, **reply)}]}
                data.update(extra)
                payload = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d/v1" % self.server.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def agent_line(key):
    with open(os.path.join(AGENT_DIR, "agent.yaml")) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    raise AssertionError("agent.yaml has no %s line" % key)


class CodingAgentTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="coding-agent-test-")
        self.ws = os.path.join(self.tmp, "workspace")
        os.mkdir(self.ws)
        self.task_file = os.path.join(self.tmp, "task.md")
        with open(self.task_file, "w") as f:
            f.write("`add(a, b)` in calc.py should return a + b but returns a - b. Fix it.\n")
        with open(os.path.join(self.ws, "calc.py"), "w") as f:
            f.write("def add(a, b):\n    return a - b\n")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_agent(self, stub, turn_limit=10, key="run", cwd=None, agent_dir=AGENT_DIR):
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.tmp, "LANG": "C.UTF-8",
               "EVOLVE_TASK_FILE": self.task_file, "EVOLVE_AGENT_DIR": agent_dir,
               "OPENAI_BASE_URL": stub.url, "OPENAI_API_KEY": TOKEN,
               "EVOLVE_TURN_LIMIT": str(turn_limit), "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.run(["sh", "-c", agent_line(key)], cwd=cwd or self.ws, env=env, timeout=120,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def check_passes(self):
        tests = os.path.join(self.ws, "tests")
        os.mkdir(tests)
        with open(os.path.join(tests, "test_calc.py"), "w") as f:
            f.write("import unittest\nfrom calc import add\n\n\nclass T(unittest.TestCase):\n"
                    "    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n")
        check = subprocess.run(["python3", "-m", "unittest", "discover", "-s", "tests"], cwd=self.ws,
                               env={"PATH": "/usr/local/bin:/usr/bin:/bin"}, capture_output=True)
        return check.returncode == 0

    def test_solves_a_small_task(self):
        edit_call = {"id": "call_1", "type": "function",
                     "function": {"name": "edit", "arguments": json.dumps(
                         {"path": "calc.py", "old": "return a - b", "new": "return a + b"})}}
        script = [
            tool({"tool": "view", "path": "calc.py"}),
            {"content": None, "tool_calls": [edit_call]},          # OpenAI-style tool call
            tool({"tool": "bash", "command": "python3 -c 'import calc; print(calc.add(2, 3))'"}),
            tool({"tool": "finish", "summary": "fixed the operator"}),
        ]
        with StubModel(lambda i, body: script[i]) as stub:
            result = self.run_agent(stub)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(self.check_passes(), "the check fails after the agent ran")
        self.assertEqual(len(stub.requests), 4)
        for r in stub.requests:
            self.assertEqual(r["path"], "/v1/chat/completions")
            self.assertEqual(r["auth"], "Bearer " + TOKEN)
        first = stub.requests[0]["body"]["messages"]
        self.assertIn("returns a - b", first[-1]["content"])
        self.assertIn("return a - b", json.dumps(stub.requests[1]["body"]["messages"]))  # view result
        self.assertEqual(stub.requests[2]["body"]["messages"][-1]["role"], "tool")
        self.assertIn("5", stub.requests[3]["body"]["messages"][-1]["content"])  # bash output
        for n, name in ((1, "view"), (2, "edit"), (3, "bash"), (4, "finish")):
            self.assertIn("[turn %d/10] %s" % (n, name), result.stderr)

    def test_nonsense_stops_cleanly(self):
        with StubModel(lambda i, body: "I like turtles. Also {not json}.") as stub:
            result = self.run_agent(stub, turn_limit=10)
        self.assertNotIn("Traceback", result.stderr)
        self.assertLessEqual(len(stub.requests), 10)
        self.assertIn("giving up", result.stderr)
        self.assertIn("no tool call", result.stderr)
        self.assertFalse(self.check_passes())
        # the model was told what went wrong
        self.assertIn("tool", stub.requests[1]["body"]["messages"][-1]["content"])

    def test_turn_limit(self):
        with StubModel(lambda i, body: tool({"tool": "bash", "command": "echo step %d" % i})) as stub:
            result = self.run_agent(stub, turn_limit=4)
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual(len(stub.requests), 4)
        self.assertIn("turn limit (4)", result.stderr)
        self.assertIn("[turn 4/4] bash", result.stderr)

    def test_turns_left_field_wraps_up(self):
        def script(i, body):
            reply = {"content": tool({"tool": "bash", "command": "echo %d" % i})}
            if i >= 1:
                reply["_extra"] = {"evolve_turns_left": 2 - min(i, 2)}
            return reply
        with StubModel(script) as stub:
            result = self.run_agent(stub, turn_limit=20)
        self.assertNotIn("Traceback", result.stderr)
        self.assertLessEqual(len(stub.requests), 4)
        self.assertIn("nearly out of turns", stub.requests[2]["body"]["messages"][-1]["content"])
        self.assertIn("reminder", result.stderr)

    def test_turns_left_text_wraps_up(self):
        def script(i, body):
            return tool({"tool": "bash", "command": "true"}) + ("\n(gateway: 2 turns left)" if i == 0 else "")
        with StubModel(script) as stub:
            result = self.run_agent(stub, turn_limit=20)
        self.assertNotIn("Traceback", result.stderr)
        self.assertLessEqual(len(stub.requests), 3)

    def test_bad_tool_arguments_reach_the_model(self):
        script = [tool({"tool": "edit", "path": "calc.py", "old": "nowhere", "new": "x"}),
                  tool({"tool": "view", "path": "missing.py"}),
                  tool({"tool": "finish", "summary": "gave up"})]
        with StubModel(lambda i, body: script[i]) as stub:
            result = self.run_agent(stub)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("occurs 0 times", stub.requests[1]["body"]["messages"][-1]["content"])
        self.assertIn("FileNotFoundError", stub.requests[2]["body"]["messages"][-1]["content"])

    def test_improve_mode_edits_its_own_copy(self):
        copy = os.path.join(self.tmp, "source")
        shutil.copytree(AGENT_DIR, copy)
        script = [
            tool({"tool": "write", "path": "agent.py", "content": "def broken(:\n"}),
            tool({"tool": "finish", "summary": "done?"}),           # refused: does not compile
            tool({"tool": "bash", "command": "cp %s/agent.py agent.py && sed -i "
                  "'s/^MAX_NO_TOOL = 3 /MAX_NO_TOOL = 4 /' agent.py" % AGENT_DIR}),
            tool({"tool": "finish", "summary": "more patience"}),
        ]
        with StubModel(lambda i, body: script[i]) as stub:
            result = self.run_agent(stub, key="self_improve", cwd=copy)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("improving a coding agent", stub.requests[0]["body"]["messages"][0]["content"])
        self.assertIn("no longer compiles", stub.requests[2]["body"]["messages"][-1]["content"])
        with open(os.path.join(copy, "agent.py")) as f:
            self.assertIn("MAX_NO_TOOL = 4 ", f.read())
        with open(os.path.join(AGENT_DIR, "agent.py")) as f:
            self.assertIn("MAX_NO_TOOL = 3 ", f.read())


if __name__ == "__main__":
    unittest.main()
