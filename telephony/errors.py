"""Telephony errors.

TelephonyError
├── AmiAuthError        the PBX refused our credentials (state `auth_failed`)
├── AmiActionError      the PBX answered `Response: Error` to an action
├── AmiTimeoutError     an action got no answer within the action timeout
└── AmiNotConnectedError an action was attempted while the AMI link is down
"""

from __future__ import annotations


class TelephonyError(Exception):
    code = "telephony_error"


class AmiAuthError(TelephonyError):
    code = "ami_auth_failed"

    def __init__(self, username: str, host: str, port: int, message: str) -> None:
        self.username, self.host, self.port, self.message = username, host, port, message
        super().__init__(
            f"Asterisk at {host}:{port} refused AMI user {username!r} ({message}); "
            "check CALLCENTER_AMI_USERNAME / CALLCENTER_AMI_SECRET against manager.conf"
        )


class AmiActionError(TelephonyError):
    code = "ami_action_failed"

    def __init__(self, action: str, message: str) -> None:
        self.action, self.message = action, message
        super().__init__(f"AMI action {action} failed: {message}")


class AmiTimeoutError(TelephonyError):
    code = "ami_action_timeout"

    def __init__(self, action: str, timeout: float) -> None:
        self.action, self.timeout = action, timeout
        super().__init__(f"AMI action {action} got no answer within {timeout:g} s")


class AmiNotConnectedError(TelephonyError):
    code = "ami_not_connected"

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"AMI action {action} not sent: the AMI link is down")
