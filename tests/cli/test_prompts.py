"""`new` on a terminal asks for missing required fields (issue 15, item 7): through a real pseudo-terminal, with
crmctl in a subprocess; stdout (a pipe) carries only the new id."""

import os
import select
import subprocess
import sys
import time

import pytest

from crmctl.kernel import ids

pytestmark = pytest.mark.slow


class Terminal:
    """crmctl with stdin and stderr on a pseudo-terminal, stdout on a pipe."""

    def __init__(self, store, *args):
        self.master, slave = os.openpty()
        env = dict(os.environ, CRMCTL_LANG="en", COLUMNS="200")
        self.process = subprocess.Popen([sys.executable, "-m", "crmctl", "--root", str(store.root), *args],
                                        stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        self.seen = b""

    def wait_for(self, text, timeout=20):
        """Read the terminal until `text` has appeared (after what was already seen)."""
        start, end = len(self.seen), time.time() + timeout
        while text.encode() not in self.seen[start:]:
            if time.time() > end:
                raise AssertionError(f"no {text!r} on the terminal; it shows:\n{self.seen.decode()}")
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:  # the process closed the terminal
                    continue

    def answer(self, question, text):
        self.wait_for(question)
        os.write(self.master, text.encode() + b"\n")

    def finish(self):
        stdout, _ = self.process.communicate(timeout=30)
        try:
            while True:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    break
                self.seen += os.read(self.master, 4096)
        except OSError:
            pass
        os.close(self.master)
        return self.process.returncode, stdout.decode(), self.seen.decode().replace("\r\n", "\n")


def test_new_asks_for_each_missing_required_field_and_applies_conditional_rules(store):
    terminal = Terminal(store, "sr", "new", "title=Puhelu")
    terminal.answer("customer: ", "CUST-GENERAL")
    terminal.answer("subject: ", "nonsense")  # refused with the reason, asked again
    terminal.answer("subject: ", "billing")
    terminal.answer("person_name: ", "Matti M")  # required because the customer is the general one
    code, stdout, screen = terminal.finish()
    assert code == 0, screen
    assert ids.is_valid(stdout.strip()) and stdout == stdout.strip() + "\n"
    assert "customer (Customer): required\ncustomer: CUST-GENERAL\n" in screen
    assert "subject (Subject): required\n  allowed: meter_reading (Meter reading), gas_contract (Gas contract)" in screen
    assert "Error: subject (Subject): 'nonsense' is not an allowed value" in screen
    assert "person_name (Person name): required when customer = CUST-GENERAL\nperson_name: Matti M\n" in screen
    record = store.get(stdout.strip())
    assert (record["customer"], record["subject"], record["person_name"]) == ("CUST-GENERAL", "billing", "Matti M")


def test_no_input_keeps_the_plain_error_on_a_terminal(store):
    terminal = Terminal(store, "sr", "new", "title=Puhelu", "--no-input")
    code, stdout, screen = terminal.finish()
    assert (code, stdout) == (1, "")
    assert screen.startswith("Error: the record breaks these rules:\n  customer (Customer): required\n")
    assert "customer: " not in screen.replace("customer (Customer)", "")


def test_a_wrong_value_on_the_command_line_is_the_plain_error_without_questions(store):
    terminal = Terminal(store, "sr", "new", "title=Puhelu", "priority=urgent")
    code, stdout, screen = terminal.finish()
    assert (code, stdout) == (1, "")
    assert "priority (Priority): 'urgent' is not an allowed value" in screen and "customer: " not in screen


def test_stdin_that_is_not_a_terminal_is_never_asked(store):
    done = subprocess.run([sys.executable, "-m", "crmctl", "--root", str(store.root), "--lang", "en", "sr", "new",
                           "title=Puhelu"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("Error: the record breaks these rules:\n")
