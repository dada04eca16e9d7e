"""A minimal coding agent: asks a chat model for one tool call per turn and runs it.

Standard library only. The model is reached at $OPENAI_BASE_URL (OpenAI-compatible chat
completions) with $OPENAI_API_KEY; the task statement is in the file $EVOLVE_TASK_FILE; the
working directory is the task's workspace; $EVOLVE_TURN_LIMIT bounds the number of model calls.

    python3 agent.py            solve the task in the current directory
    python3 agent.py --improve  the current directory is a copy of this agent's source; the task
                                file describes its failures; edit the source to fix them
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

MODEL = os.environ.get("EVOLVE_MODEL", "default")
COMMAND_TIMEOUT = 60      # seconds per shell command
MAX_OUTPUT = 4000         # characters of tool output shown to the model
MAX_HISTORY = 60000       # characters of conversation before old tool results are shortened
MAX_NO_TOOL = 3           # replies in a row without a tool call before giving up
WRAP_UP_TURNS = 2         # turns allowed after a "turns left" reminder (or evolve_turns_left <= 3)

TOOLS = """You work in a shell, in the task's directory. Use ONE tool per reply, written as a
fenced block tagged `tool` holding a JSON object:

```tool
{"tool": "bash", "command": "ls -la"}
```

Tools:
- bash:   {"tool": "bash", "command": "..."}  run a shell command (60 s timeout); you get the exit code and output
- view:   {"tool": "view", "path": "file.py"}  show a file with line numbers
- edit:   {"tool": "edit", "path": "file.py", "old": "exact old text", "new": "replacement text"}
          replace text that occurs exactly once in the file
- write:  {"tool": "write", "path": "file.py", "content": "whole new file"}  create or overwrite a file
- finish: {"tool": "finish", "summary": "what you did"}  stop when the task is done

Look at the files first, make the change, run the code or a quick test to check it, then finish.
"""

IMPROVE = """You are improving a coding agent: the current directory is a copy of its source code
(agent.py and friends). The task below lists problems seen when it ran. Edit the source to fix them.
Keep it standard-library Python 3, keep the command line, environment variables and tool protocol
working, and make sure `python3 -m py_compile agent.py` still succeeds.
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


def trim(text, limit=MAX_OUTPUT):
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half] + "\n... [%d characters cut] ...\n" % (len(text) - limit) + text[-half:]


# MARK: - model access

class ModelError(Exception):
    pass


def chat(messages):
    """Returns (the parsed JSON response, the assistant message). Retries transient failures."""
    base = os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1").rstrip("/")
    body = json.dumps({"model": MODEL, "messages": messages, "temperature": 0.2,
                       "max_tokens": 2048}).encode()
    headers = {"Content-Type": "application/json",
               "Authorization": "Bearer " + os.environ.get("OPENAI_API_KEY", "none")}
    last = None
    for attempt in range(3):
        request = urllib.request.Request(base + "/chat/completions", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                data = json.loads(response.read().decode("utf-8", "replace"))
            message = (data.get("choices") or [{}])[0].get("message") or {}
            return data, message
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")[:300]
            last = "HTTP %d: %s" % (e.code, detail)
            if e.code < 500:          # budget exhausted, bad request: retrying will not help
                break
        except (urllib.error.URLError, OSError, ValueError) as e:
            last = "%s: %s" % (type(e).__name__, e)
        if attempt < 2:
            time.sleep(1 + 2 * attempt)
    raise ModelError(last)


def turns_left_notice(data, message):
    """The gateway's reminder, if any: the number of turns left, True when unknown, None if none.

    A response field `evolve_turns_left` (top level, in the choice or in the message) caps the
    remaining turns, and a small number (<= 3) means wrap up; text that says "turns left" in the
    assistant's message always means wrap up."""
    for holder in (data, (data.get("choices") or [{}])[0], message):
        if isinstance(holder, dict) and "evolve_turns_left" in holder:
            try:
                return int(holder["evolve_turns_left"])
            except (TypeError, ValueError):
                return True
    text = message.get("content") or ""
    if "turns left" in text.lower():
        match = re.search(r"(\d+)\s+turns left", text, re.I)
        return min(int(match.group(1)), WRAP_UP_TURNS) if match else True  # text: always wrap up
    return None


# MARK: - tool calls

FENCE = re.compile(r"```(?:tool|json)?[ \t]*\n(.*?)```", re.S)


def parse_tool_call(message):
    """Returns (call dict or None, error text or None)."""
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        try:
            args = json.loads(function.get("arguments") or "{}", strict=False)
        except ValueError as e:
            return None, "the arguments of %s are not valid JSON: %s" % (function.get("name"), e)
        if isinstance(args, dict):
            args["tool"] = function.get("name")
            return args, None
    text = message.get("content") or ""
    candidates = FENCE.findall(text)
    if not candidates:
        start = text.find("{")
        end = text.rfind("}")
        if start != -1 and end > start and '"tool"' in text:
            candidates = [text[start:end + 1]]
    error = None
    for block in candidates:
        try:
            call = json.loads(block.strip(), strict=False)
        except ValueError as e:
            error = "the tool block is not valid JSON (%s)" % e
            continue
        if isinstance(call, dict) and isinstance(call.get("tool"), str):
            return call, None
        error = 'the tool block needs a "tool" field'
    return None, error or "no tool call found"


def resolve(path):
    if not isinstance(path, str) or not path:
        raise ValueError("a non-empty 'path' is required")
    return os.path.join(os.getcwd(), path)


def tool_bash(call):
    command = call.get("command")
    if not isinstance(command, str) or not command.strip():
        return "error: a non-empty 'command' is required"
    process = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=COMMAND_TIMEOUT)
        status = "exit code %d" % process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        status = "killed after %d s" % COMMAND_TIMEOUT
    return "%s\n%s" % (status, trim(output.decode("utf-8", "replace")))


def tool_view(call):
    with open(resolve(call.get("path")), encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    return trim("\n".join("%4d  %s" % (i, line) for i, line in enumerate(lines, 1)) or "(empty file)")


def tool_edit(call):
    path, old, new = resolve(call.get("path")), call.get("old"), call.get("new")
    if not isinstance(old, str) or not isinstance(new, str) or not old:
        return "error: 'old' (non-empty) and 'new' must be strings"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    count = text.count(old)
    if count != 1:
        return "error: the old text occurs %d times in %s; it must occur exactly once" % (count, call["path"])
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))
    return "edited %s" % call["path"]


def tool_write(call):
    path, content = resolve(call.get("path")), call.get("content")
    if not isinstance(content, str):
        return "error: 'content' must be a string"
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)
    return "wrote %s (%d lines)" % (call["path"], content.count("\n") + 1)


TOOL_FUNCTIONS = {"bash": tool_bash, "view": tool_view, "edit": tool_edit, "write": tool_write}


def run_tool(call):
    function = TOOL_FUNCTIONS.get(call["tool"])
    if function is None:
        return "error: unknown tool %r; use bash, view, edit, write or finish" % call["tool"]
    try:
        return function(call)
    except Exception as e:  # a bad call must reach the model, never end the agent
        return "error: %s: %s" % (type(e).__name__, e)


def check_own_source():
    """In --improve mode: the edited agent must still compile."""
    problems = []
    for name in sorted(os.listdir(".")):
        if name.endswith(".py"):
            try:
                with open(name, encoding="utf-8") as f:
                    compile(f.read(), name, "exec")
            except (SyntaxError, ValueError) as e:
                problems.append("%s: %s" % (name, e))
    return problems


# MARK: - the loop

def shorten_history(messages):
    total = sum(len(m.get("content") or "") for m in messages)
    for m in messages[2:-6]:
        if total <= MAX_HISTORY:
            break
        content = m.get("content") or ""
        if m["role"] in ("user", "tool") and len(content) > 600:
            m["content"] = content[:300] + "\n... [older output cut] ...\n" + content[-200:]
            total -= len(content) - len(m["content"])


def main(argv):
    improve = "--improve" in argv
    try:
        limit = int(os.environ.get("EVOLVE_TURN_LIMIT", "30"))
    except ValueError:
        limit = 30
    task_file = os.environ.get("EVOLVE_TASK_FILE")
    if not task_file or not os.path.isfile(task_file):
        log("agent: EVOLVE_TASK_FILE is not set or not a file")
        return 2
    with open(task_file, encoding="utf-8", errors="replace") as f:
        task = f.read()
    system = (IMPROVE if improve else "You are a careful software engineer.\n") + "\n" + TOOLS
    messages = [{"role": "system", "content": system},
                {"role": "user", "content": "The task:\n\n" + task.strip()}]
    no_tool = 0
    stop_after = limit
    wrapping_up = False
    for turn in range(1, limit + 1):
        if turn > stop_after:
            log("agent: stopping after the wrap-up turns")
            return 1
        shorten_history(messages)
        try:
            data, message = chat(messages)
        except ModelError as e:
            log("[turn %d/%d] model unavailable: %s; stopping" % (turn, limit, e))
            return 1
        content = message.get("content") or ""
        call, error = parse_tool_call(message)
        if message.get("tool_calls") and call is not None:
            tool_id = message["tool_calls"][0].get("id", "call_0")
            messages.append({"role": "assistant", "content": content,
                             "tool_calls": message["tool_calls"][:1]})
        else:
            tool_id = None
            messages.append({"role": "assistant", "content": content})

        notice = turns_left_notice(data, message)
        reminder = ""
        if notice is not None:
            left = WRAP_UP_TURNS if notice is True else max(0, notice)
            stop_after = min(stop_after, turn + left)          # never exceed what the gateway grants
            if left <= WRAP_UP_TURNS + 1 and not wrapping_up:  # nearly out: wrap up
                wrapping_up = True
                stop_after = min(stop_after, turn + WRAP_UP_TURNS)
                reminder = ("\n\nYou are nearly out of turns (%d left). Make any last edit now, then "
                            "finish." % (stop_after - turn))
                log("[turn %d/%d] reminder: turns nearly out; wrapping up by turn %d"
                    % (turn, limit, stop_after))

        if call is None:
            no_tool += 1
            log("[turn %d/%d] no tool call (%s)" % (turn, limit, error))
            if no_tool >= MAX_NO_TOOL:
                log("agent: giving up: %d replies in a row without a usable tool call" % no_tool)
                return 1
            messages.append({"role": "user", "content": "I could not find a tool call: %s. Reply with "
                             "exactly one ```tool block holding a JSON object, as described."
                             % error + reminder})
            continue
        no_tool = 0
        name = call.get("tool")
        if name == "finish":
            if improve:
                problems = check_own_source()
                if problems and turn < stop_after:
                    log("[turn %d/%d] finish refused: %s" % (turn, limit, "; ".join(problems)))
                    messages.append({"role": "user", "content": "The source no longer compiles:\n"
                                     + "\n".join(problems) + "\nFix it, then finish." + reminder})
                    continue
            log("[turn %d/%d] finish: %s" % (turn, limit, str(call.get("summary", ""))[:200]))
            return 0
        result = run_tool(call)
        first = result.splitlines()[0] if result else ""
        log("[turn %d/%d] %s: %s" % (turn, limit, name, first[:120]))
        reply = "Result of %s:\n%s" % (name, result) + reminder
        if tool_id is not None:
            messages.append({"role": "tool", "tool_call_id": tool_id, "content": reply})
        else:
            messages.append({"role": "user", "content": reply})
    log("agent: turn limit (%d) reached without finish" % limit)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        log("agent: interrupted")
        sys.exit(130)
