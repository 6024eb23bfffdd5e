using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>One JSON dialect for the API, the store and the CLI: camelCase, no nulls written, unknown fields rejected.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = false)]
[JsonSerializable(typeof(TaskResource))]
[JsonSerializable(typeof(NodeResource))]
[JsonSerializable(typeof(CreateTaskRequest))]
[JsonSerializable(typeof(RegisterNodeRequest))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(TaskStatusReport))]
[JsonSerializable(typeof(ResourceList<TaskResource>))]
[JsonSerializable(typeof(ResourceList<NodeResource>))]
[JsonSerializable(typeof(WatchEvent<TaskResource>))]
[JsonSerializable(typeof(WatchEvent<NodeResource>))]
[JsonSerializable(typeof(IReadOnlyList<TaskResource>))]
[JsonSerializable(typeof(IReadOnlyList<NodeResource>))]
[JsonSerializable(typeof(DeploymentResource))]
[JsonSerializable(typeof(WorkloadTemplate))]
[JsonSerializable(typeof(ServiceInfo))]
[JsonSerializable(typeof(IReadOnlyList<ServiceInfo>))]
[JsonSerializable(typeof(IReadOnlyList<ServiceEndpoint>))]
[JsonSerializable(typeof(ApplyDeploymentRequest))]
[JsonSerializable(typeof(ScaleRequest))]
[JsonSerializable(typeof(ResourceList<DeploymentResource>))]
[JsonSerializable(typeof(WatchEvent<DeploymentResource>))]
[JsonSerializable(typeof(IReadOnlyList<DeploymentResource>))]
[JsonSerializable(typeof(UserResource))]
[JsonSerializable(typeof(UserView))]
[JsonSerializable(typeof(IReadOnlyList<UserView>))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(SetRoleRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(WhoAmI))]
[JsonSerializable(typeof(SessionResource))]
[JsonSerializable(typeof(ApiTokenResource))]
[JsonSerializable(typeof(ApiTokenView))]
[JsonSerializable(typeof(IReadOnlyList<ApiTokenView>))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(InvitationResource))]
[JsonSerializable(typeof(InvitationView))]
[JsonSerializable(typeof(IReadOnlyList<InvitationView>))]
[JsonSerializable(typeof(CreateInvitationRequest))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntry>))]
[JsonSerializable(typeof(NamespaceResource))]
[JsonSerializable(typeof(IReadOnlyList<NamespaceResource>))]
[JsonSerializable(typeof(ApplyNamespaceRequest))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(RejectRequest))]
[JsonSerializable(typeof(QuotaUsage))]
[JsonSerializable(typeof(NodeCredential))]
[JsonSerializable(typeof(StatsSeries))]
[JsonSerializable(typeof(IReadOnlyList<StatsSeries>))]
[JsonSerializable(typeof(EventResource))]
[JsonSerializable(typeof(IReadOnlyList<EventResource>))]
[JsonSerializable(typeof(ResourceList<EventResource>))]
[JsonSerializable(typeof(WatchEvent<EventResource>))]
[JsonSerializable(typeof(TerminalSize))]
[JsonSerializable(typeof(ExecExit))]
[JsonSerializable(typeof(TrafficReport))]
[JsonSerializable(typeof(TrafficView))]
[JsonSerializable(typeof(RouteTraffic))]
public sealed partial class ChasJsonContext : JsonSerializerContext;

public static class ChasJson
{
    public static JsonSerializerOptions Options => ChasJsonContext.Default.Options;

    /// <summary>Indented output for humans (`-o json`).</summary>
    public static JsonSerializerOptions Indented { get; } = new(ChasJsonContext.Default.Options) { WriteIndented = true };
}
