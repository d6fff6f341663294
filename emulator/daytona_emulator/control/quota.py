"""Organization quotas (sandbox.service.ts ``validateOrganizationQuotas``)."""

from __future__ import annotations

from daytona_emulator.control.common import forbidden, num
from daytona_emulator.control.sandbox_model import org_usage, usage_of
from daytona_emulator.store import Doc, Store


def check_per_sandbox_limits(q: Doc, cpu: float, mem: float, disk: float) -> None:
    """The per-sandbox maxima of an organization's quota (sandboxes and snapshots alike)."""
    if cpu > q["maxCpuPerSandbox"]:
        raise forbidden(
            f"CPU request {num(cpu)} exceeds maximum allowed per sandbox "
            f"({num(q['maxCpuPerSandbox'])})"
        )
    if mem > q["maxMemoryPerSandbox"]:
        raise forbidden(
            f"Memory request {num(mem)}GB exceeds maximum allowed per sandbox "
            f"({num(q['maxMemoryPerSandbox'])}GB)"
        )
    if disk > q["maxDiskPerSandbox"]:
        raise forbidden(
            f"Disk request {num(disk)}GB exceeds maximum allowed per sandbox "
            f"({num(q['maxDiskPerSandbox'])}GB)"
        )


def check_quota(
    store: Store, org: Doc, cpu: float, mem: float, disk: float, exclude: str | None = None
) -> None:
    """Suspension, per-sandbox maxima, organization totals (``exclude``: a sandbox whose own
    usage does not count, e.g. the one being started)."""
    if org.get("suspended"):
        reason = org.get("suspensionReason")
        raise forbidden(
            f"Organization is suspended: {reason}" if reason else "Organization is suspended"
        )
    q = org["quota"]
    check_per_sandbox_limits(q, cpu, mem, disk)
    used = org_usage(store, org["id"])
    if exclude is not None:
        sb = store.get("sandboxes", exclude)
        if sb is not None:
            own = usage_of(sb)
            used = {k: used[k] - own[k] for k in used}
    if used["cpu"] + cpu > q["totalCpuQuota"]:
        raise forbidden(
            f"Total CPU quota exceeded ({num(used['cpu'] + cpu)} > {num(q['totalCpuQuota'])})"
        )
    if used["memory"] + mem > q["totalMemoryQuota"]:
        raise forbidden(
            f"Total memory quota exceeded ({num(used['memory'] + mem)}GB > "
            f"{num(q['totalMemoryQuota'])}GB)"
        )
    if used["disk"] + disk > q["totalDiskQuota"]:
        raise forbidden(
            f"Total disk quota exceeded ({num(used['disk'] + disk)}GB > "
            f"{num(q['totalDiskQuota'])}GB)"
        )
