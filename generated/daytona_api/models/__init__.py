"""Contains all the data models used in inputs/outputs.

Each model's module is imported on first access (``daytona_api.models.Sandbox``), so an
endpoint module that needs three models does not load all of them.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .account_provider import AccountProvider
    from .api_key_list import ApiKeyList
    from .api_key_response import ApiKeyResponse
    from .backup_state import BackupState
    from .build_info import BuildInfo
    from .command import Command
    from .completion_context import CompletionContext
    from .completion_item import CompletionItem
    from .completion_item_documentation_type_0 import CompletionItemDocumentationType0
    from .completion_list import CompletionList
    from .create_api_key import CreateApiKey
    from .create_build_info import CreateBuildInfo
    from .create_docker_registry import CreateDockerRegistry
    from .create_linked_account import CreateLinkedAccount
    from .create_organization import CreateOrganization
    from .create_organization_invitation import CreateOrganizationInvitation
    from .create_organization_quota import CreateOrganizationQuota
    from .create_organization_role import CreateOrganizationRole
    from .create_runner import CreateRunner
    from .create_sandbox import CreateSandbox
    from .create_session_request import CreateSessionRequest
    from .create_snapshot import CreateSnapshot
    from .create_user import CreateUser
    from .create_volume import CreateVolume
    from .create_workspace import CreateWorkspace
    from .docker_registry import DockerRegistry
    from .docker_registry_type import DockerRegistryType
    from .error_response import ErrorResponse
    from .execute_request import ExecuteRequest
    from .execute_response import ExecuteResponse
    from .file_info import FileInfo
    from .file_status import FileStatus
    from .git_add_request import GitAddRequest
    from .git_branch_request import GitBranchRequest
    from .git_checkout_request import GitCheckoutRequest
    from .git_clone_request import GitCloneRequest
    from .git_commit_info import GitCommitInfo
    from .git_commit_request import GitCommitRequest
    from .git_commit_response import GitCommitResponse
    from .git_delete_branch_request import GitDeleteBranchRequest
    from .git_repo_request import GitRepoRequest
    from .git_status import GitStatus
    from .list_branch_response import ListBranchResponse
    from .lsp_completion_params import LspCompletionParams
    from .lsp_document_request import LspDocumentRequest
    from .lsp_location import LspLocation
    from .lsp_server_request import LspServerRequest
    from .lsp_symbol import LspSymbol
    from .match import Match
    from .organization import Organization
    from .organization_invitation import OrganizationInvitation
    from .organization_invitation_status import OrganizationInvitationStatus
    from .organization_member_role import OrganizationMemberRole
    from .organization_resource_permission import OrganizationResourcePermission
    from .organization_role import OrganizationRole
    from .organization_suspension import OrganizationSuspension
    from .organization_user import OrganizationUser
    from .paginated_snapshots_dto import PaginatedSnapshotsDto
    from .port_preview_url import PortPreviewUrl
    from .position import Position
    from .project_dir_response import ProjectDirResponse
    from .range_ import Range
    from .region import Region
    from .registry_push_access_dto import RegistryPushAccessDto
    from .replace_request import ReplaceRequest
    from .replace_result import ReplaceResult
    from .runner import Runner
    from .runner_scheduling import RunnerScheduling
    from .runner_state import RunnerState
    from .sandbox import Sandbox
    from .sandbox_class import SandboxClass
    from .sandbox_info import SandboxInfo
    from .sandbox_labels_request import SandboxLabelsRequest
    from .sandbox_state import SandboxState
    from .sandbox_volume import SandboxVolume
    from .search_files_response import SearchFilesResponse
    from .session import Session
    from .session_execute_request import SessionExecuteRequest
    from .session_execute_response import SessionExecuteResponse
    from .set_snapshot_general_status_dto import SetSnapshotGeneralStatusDto
    from .snapshot_dto import SnapshotDto
    from .snapshot_state import SnapshotState
    from .storage_access_dto import StorageAccessDto
    from .string_map import StringMap
    from .system_role import SystemRole
    from .toggle_state import ToggleState
    from .update_assigned_organization_roles import UpdateAssignedOrganizationRoles
    from .update_docker_registry import UpdateDockerRegistry
    from .update_organization_invitation import UpdateOrganizationInvitation
    from .update_organization_member_role import UpdateOrganizationMemberRole
    from .update_organization_quota import UpdateOrganizationQuota
    from .update_organization_role import UpdateOrganizationRole
    from .upload_file import UploadFile
    from .upload_file_request import UploadFileRequest
    from .usage_overview import UsageOverview
    from .user import User
    from .user_public_key import UserPublicKey
    from .volume_dto import VolumeDto
    from .volume_state import VolumeState
    from .workspace import Workspace

_MODULE_OF = {
    "AccountProvider": ".account_provider",
    "ApiKeyList": ".api_key_list",
    "ApiKeyResponse": ".api_key_response",
    "BackupState": ".backup_state",
    "BuildInfo": ".build_info",
    "Command": ".command",
    "CompletionContext": ".completion_context",
    "CompletionItem": ".completion_item",
    "CompletionItemDocumentationType0": ".completion_item_documentation_type_0",
    "CompletionList": ".completion_list",
    "CreateApiKey": ".create_api_key",
    "CreateBuildInfo": ".create_build_info",
    "CreateDockerRegistry": ".create_docker_registry",
    "CreateLinkedAccount": ".create_linked_account",
    "CreateOrganization": ".create_organization",
    "CreateOrganizationInvitation": ".create_organization_invitation",
    "CreateOrganizationQuota": ".create_organization_quota",
    "CreateOrganizationRole": ".create_organization_role",
    "CreateRunner": ".create_runner",
    "CreateSandbox": ".create_sandbox",
    "CreateSessionRequest": ".create_session_request",
    "CreateSnapshot": ".create_snapshot",
    "CreateUser": ".create_user",
    "CreateVolume": ".create_volume",
    "CreateWorkspace": ".create_workspace",
    "DockerRegistry": ".docker_registry",
    "DockerRegistryType": ".docker_registry_type",
    "ErrorResponse": ".error_response",
    "ExecuteRequest": ".execute_request",
    "ExecuteResponse": ".execute_response",
    "FileInfo": ".file_info",
    "FileStatus": ".file_status",
    "GitAddRequest": ".git_add_request",
    "GitBranchRequest": ".git_branch_request",
    "GitCheckoutRequest": ".git_checkout_request",
    "GitCloneRequest": ".git_clone_request",
    "GitCommitInfo": ".git_commit_info",
    "GitCommitRequest": ".git_commit_request",
    "GitCommitResponse": ".git_commit_response",
    "GitDeleteBranchRequest": ".git_delete_branch_request",
    "GitRepoRequest": ".git_repo_request",
    "GitStatus": ".git_status",
    "ListBranchResponse": ".list_branch_response",
    "LspCompletionParams": ".lsp_completion_params",
    "LspDocumentRequest": ".lsp_document_request",
    "LspLocation": ".lsp_location",
    "LspServerRequest": ".lsp_server_request",
    "LspSymbol": ".lsp_symbol",
    "Match": ".match",
    "Organization": ".organization",
    "OrganizationInvitation": ".organization_invitation",
    "OrganizationInvitationStatus": ".organization_invitation_status",
    "OrganizationMemberRole": ".organization_member_role",
    "OrganizationResourcePermission": ".organization_resource_permission",
    "OrganizationRole": ".organization_role",
    "OrganizationSuspension": ".organization_suspension",
    "OrganizationUser": ".organization_user",
    "PaginatedSnapshotsDto": ".paginated_snapshots_dto",
    "PortPreviewUrl": ".port_preview_url",
    "Position": ".position",
    "ProjectDirResponse": ".project_dir_response",
    "Range": ".range_",
    "Region": ".region",
    "RegistryPushAccessDto": ".registry_push_access_dto",
    "ReplaceRequest": ".replace_request",
    "ReplaceResult": ".replace_result",
    "Runner": ".runner",
    "RunnerScheduling": ".runner_scheduling",
    "RunnerState": ".runner_state",
    "Sandbox": ".sandbox",
    "SandboxClass": ".sandbox_class",
    "SandboxInfo": ".sandbox_info",
    "SandboxLabelsRequest": ".sandbox_labels_request",
    "SandboxState": ".sandbox_state",
    "SandboxVolume": ".sandbox_volume",
    "SearchFilesResponse": ".search_files_response",
    "Session": ".session",
    "SessionExecuteRequest": ".session_execute_request",
    "SessionExecuteResponse": ".session_execute_response",
    "SetSnapshotGeneralStatusDto": ".set_snapshot_general_status_dto",
    "SnapshotDto": ".snapshot_dto",
    "SnapshotState": ".snapshot_state",
    "StorageAccessDto": ".storage_access_dto",
    "StringMap": ".string_map",
    "SystemRole": ".system_role",
    "ToggleState": ".toggle_state",
    "UpdateAssignedOrganizationRoles": ".update_assigned_organization_roles",
    "UpdateDockerRegistry": ".update_docker_registry",
    "UpdateOrganizationInvitation": ".update_organization_invitation",
    "UpdateOrganizationMemberRole": ".update_organization_member_role",
    "UpdateOrganizationQuota": ".update_organization_quota",
    "UpdateOrganizationRole": ".update_organization_role",
    "UploadFile": ".upload_file",
    "UploadFileRequest": ".upload_file_request",
    "UsageOverview": ".usage_overview",
    "User": ".user",
    "UserPublicKey": ".user_public_key",
    "VolumeDto": ".volume_dto",
    "VolumeState": ".volume_state",
    "Workspace": ".workspace",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))


__all__ = (
    "AccountProvider",
    "ApiKeyList",
    "ApiKeyResponse",
    "BackupState",
    "BuildInfo",
    "Command",
    "CompletionContext",
    "CompletionItem",
    "CompletionItemDocumentationType0",
    "CompletionList",
    "CreateApiKey",
    "CreateBuildInfo",
    "CreateDockerRegistry",
    "CreateLinkedAccount",
    "CreateOrganization",
    "CreateOrganizationInvitation",
    "CreateOrganizationQuota",
    "CreateOrganizationRole",
    "CreateRunner",
    "CreateSandbox",
    "CreateSessionRequest",
    "CreateSnapshot",
    "CreateUser",
    "CreateVolume",
    "CreateWorkspace",
    "DockerRegistry",
    "DockerRegistryType",
    "ErrorResponse",
    "ExecuteRequest",
    "ExecuteResponse",
    "FileInfo",
    "FileStatus",
    "GitAddRequest",
    "GitBranchRequest",
    "GitCheckoutRequest",
    "GitCloneRequest",
    "GitCommitInfo",
    "GitCommitRequest",
    "GitCommitResponse",
    "GitDeleteBranchRequest",
    "GitRepoRequest",
    "GitStatus",
    "ListBranchResponse",
    "LspCompletionParams",
    "LspDocumentRequest",
    "LspLocation",
    "LspServerRequest",
    "LspSymbol",
    "Match",
    "Organization",
    "OrganizationInvitation",
    "OrganizationInvitationStatus",
    "OrganizationMemberRole",
    "OrganizationResourcePermission",
    "OrganizationRole",
    "OrganizationSuspension",
    "OrganizationUser",
    "PaginatedSnapshotsDto",
    "PortPreviewUrl",
    "Position",
    "ProjectDirResponse",
    "Range",
    "Region",
    "RegistryPushAccessDto",
    "ReplaceRequest",
    "ReplaceResult",
    "Runner",
    "RunnerScheduling",
    "RunnerState",
    "Sandbox",
    "SandboxClass",
    "SandboxInfo",
    "SandboxLabelsRequest",
    "SandboxState",
    "SandboxVolume",
    "SearchFilesResponse",
    "Session",
    "SessionExecuteRequest",
    "SessionExecuteResponse",
    "SetSnapshotGeneralStatusDto",
    "SnapshotDto",
    "SnapshotState",
    "StorageAccessDto",
    "StringMap",
    "SystemRole",
    "ToggleState",
    "UpdateAssignedOrganizationRoles",
    "UpdateDockerRegistry",
    "UpdateOrganizationInvitation",
    "UpdateOrganizationMemberRole",
    "UpdateOrganizationQuota",
    "UpdateOrganizationRole",
    "UploadFile",
    "UploadFileRequest",
    "UsageOverview",
    "User",
    "UserPublicKey",
    "VolumeDto",
    "VolumeState",
    "Workspace",
)
