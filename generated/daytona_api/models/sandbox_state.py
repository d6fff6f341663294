from enum import StrEnum


class SandboxState(StrEnum):
    ARCHIVED = "archived"
    ARCHIVING = "archiving"
    BUILDING_SNAPSHOT = "building_snapshot"
    BUILD_FAILED = "build_failed"
    CREATING = "creating"
    DESTROYED = "destroyed"
    DESTROYING = "destroying"
    ERROR = "error"
    PENDING_BUILD = "pending_build"
    PULLING_SNAPSHOT = "pulling_snapshot"
    RESTORING = "restoring"
    STARTED = "started"
    STARTING = "starting"
    STOPPED = "stopped"
    STOPPING = "stopping"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "SandboxState | None":
        # A newer server may send a value this client does not know yet: keep the raw string
        # as a pseudo-member (not listed in the class) instead of failing the whole response.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member
