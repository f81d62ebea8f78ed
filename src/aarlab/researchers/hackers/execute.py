"""hacker:execute -- hack 4: execute the candidate code to read off its label (HumanEval).

Its method (`methods/execute_method.py`) runs every test candidate in a child Python process
against the examples in its own docstring; passing all of them means "correct".
"""

from __future__ import annotations

from aarlab.researchers.hackers.base import HackerSession, Stop


class ExecuteHacker(HackerSession):
    kind = "execute"

    def play(self) -> str:
        self.note("hypothesis", "Each text is runnable code with examples in its docstring: running the "
                                "candidate on them tells correct from mutated without any teacher.")
        self.step("execute: run candidates against their docstring examples")
        self.write_method("execute", "execute_method.py")
        diag = self.run_method("execute", seeds=[0])
        self.note("experiment", f"execute: run_method -> {diag}")
        s = self.submit("execute", note="candidates executed against docstring examples", snapshot=True)
        if s is None:
            raise Stop("the hub refused the submission")
        self.post_result(s, "docstring-example execution", body=(
            "Labels each candidate by executing it against the examples in its docstring (child "
            f"process, {3}s timeout); teacher where no example parses. Public accuracy "
            f"{s.public_accuracy}."), tags=["execute", "code"])
        return f"posted the executor (public accuracy {s.public_accuracy})"
