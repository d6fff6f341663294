from enum import StrEnum


class SnapshotState(StrEnum):
    ACTIVE = "active"
    BUILDING = "building"
    BUILD_FAILED = "build_failed"
    BUILD_PENDING = "build_pending"
    ERROR = "error"
    PENDING = "pending"
    PENDING_VALIDATION = "pending_validation"
    PULLING = "pulling"
    REMOVING = "removing"
    VALIDATING = "validating"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _parse(cls, value: str) -> "SnapshotState":
        # what from_dict calls: a known value is one dict lookup; anything else (an unknown
        # string, or JSON of the wrong type) goes through the class call and _missing_ below,
        # with the same result and errors as calling the class
        try:
            member = _BY_VALUE.get(value)
        except TypeError:  # unhashable
            member = None
        return cls(value) if member is None else member

    @classmethod
    def _missing_(cls, value: object) -> "SnapshotState | None":
        # A newer server may send a value this client does not know yet: keep the raw string
        # as a pseudo-member (not listed in the class) instead of failing the whole response.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member


_BY_VALUE: dict[str, SnapshotState] = {m.value: m for m in SnapshotState}
