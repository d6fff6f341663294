from enum import StrEnum


class BackupState(StrEnum):
    COMPLETED = "Completed"
    ERROR = "Error"
    INPROGRESS = "InProgress"
    NONE = "None"
    PENDING = "Pending"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "BackupState | None":
        # A newer server may send a value this client does not know yet: keep the raw string
        # as a pseudo-member (not listed in the class) instead of failing the whole response.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member
