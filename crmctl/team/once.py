"""Work that must happen once across clones (cli.md, "Git"): `notify` and `escalate` in a store shared through a
remote.

Each first syncs, then writes its claim (the assignments marked notified, the records escalated) and commits and
pushes it before anything leaves the machine. A push refused because another clone pushed first drops the claim
commit, syncs again and claims anew: what the other clone claimed is then done in the records and is skipped.
A send that fails takes its claim back in a commit of its own, pushed, so the next run (in any clone) sends it.
The bookkeeping merges cleanly with the record merge driver: assignments merge by identity and `notified` stays
set once set, unless the clone that set it took it back.

The claim is pushed before the send, so a crash between the two loses that email (at most once, where a store
without a remote sends at least once); the history shows it as notified.
"""

from crmctl.kernel.errors import CrmError
from crmctl.team.autocommit import commit_command, enabled, repository_state
from crmctl.team.repo import git, remotes
from crmctl.team.sync import ATTEMPTS, ahead, clone_of, push, sync
from crmctl.workflows import escalation
from crmctl.workflows import notify as notify_core


def shared(store):
    """Whether the store is shared through git: auto-commit on and a remote to push to."""
    try:
        if not enabled(store.config):
            return False
    except CrmError:
        return False
    state = repository_state(store.root.resolve())
    return state is not None and bool(remotes(state["top"]))


def _synced(store, actor):
    result = sync(store, actor=actor)
    if result.conflicts:
        raise CrmError(code="once.conflicts", count=len(result.conflicts))


def claimed(store, actor, words, work, attempts=ATTEMPTS):
    """Sync, run `work()` (which writes the claim through `store` and returns what it claimed), commit the files it
    wrote as `actor` and push them; on a refused push, drop the commit, sync and run `work()` again."""
    _synced(store, actor)
    clone = clone_of(store)
    for _ in range(attempts):
        before = git(clone.top, "rev-parse", "HEAD").stdout.strip()
        store.written = []
        result = work()
        if not store.written:
            return result
        commit_command(store, words, None, actor)
        try:
            if not ahead(clone) or push(clone):
                return result
        except CrmError:
            # Unpushed, the claim would hide the work from this clone's next run as well: it goes with the error.
            git(clone.top, "reset", "-q", "--keep", before)
            raise
        # Another clone pushed first: its claims may cover ours. Only the claim commit goes; other changes stay.
        git(clone.top, "reset", "-q", "--keep", before)
        _synced(store, actor)
    raise CrmError(code="sync.kept_moving", remote=clone.remote, branch=clone.branch, attempts=attempts)


def released(store, actor, words, work):
    """Run `work()` (which takes a claim back), commit what it wrote and sync, so every clone sees it."""
    store.written = []
    work()
    if store.written:
        commit_command(store, words, None, actor)
        _synced(store, actor)


def notify(store, actor, server, sender, lang="fi"):
    """`notify` in a shared store: claim, push, send, release the failures; the Outgoing list."""
    batch = claimed(store, actor, "notify", lambda: notify_core.claim(store, actor, sender, lang))
    notify_core.send_claimed(store, batch, server, actor, lang)
    failed = [out for out in batch if out.error]
    if failed:
        released(store, actor, "notify", lambda: notify_core.release(store, failed, lang))
    return batch


def escalate(store, actor, lang="fi"):
    """`escalate` in a shared store: the escalation is its own claim, pushed before the command ends."""
    return claimed(store, actor, "escalate", lambda: escalation.escalate(store, actor, lang))
