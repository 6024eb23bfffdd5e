using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
[JsonSerializable(typeof(LeadershipStatus))]
public sealed partial class ChasJsonContext : JsonSerializerContext;

public static class ChasJson
{
    public static JsonSerializerOptions Options => ChasJsonContext.Default.Options;

    /// <summary>Indented output for humans (`-o json`).</summary>
    public static JsonSerializerOptions Indented { get; } = new(ChasJsonContext.Default.Options) { WriteIndented = true };

    /// <summary>
    /// For documents people write (API request bodies), read by reflection rather than through the generated context:
    /// the source generator builds a record with every init-only property in one object initializer, so a field the
    /// document leaves out got default(T) — null lists, probe periods of 0 — instead of the default the record declares
    /// (dotnet/runtime#84484). Stricter than what we write ourselves: null for a field that may not be null, and a
    /// number sent as a string, are refused with their path instead of failing later.
    /// </summary>
    public static JsonSerializerOptions Input { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The contract of T for reading input; see <see cref="Input"/>.</summary>
    public static JsonTypeInfo<T> InputTypeInfo<T>() => (JsonTypeInfo<T>)Input.GetTypeInfo(typeof(T));

    /// <summary>
    /// For records read back from the store, which may have been written by an older CHaS (or by another server of
    /// an older version on the same database): a field the record gained since is missing there, and the generated
    /// context would read it as default(T) (dotnet/runtime#84484: a deployment's maxSurge 0 instead of 1, its
    /// namespace "", null lists), a default that means something else. Read by reflection, so every missing field
    /// gets the default the record declares. Written with the generated context (<see cref="ChasJsonContext"/>),
    /// which writes every field, so what we write ourselves reads back the same either way.
    /// </summary>
    public static JsonSerializerOptions Stored { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The contract of T for reading stored records; see <see cref="Stored"/>.</summary>
    public static JsonTypeInfo<T> StoredTypeInfo<T>() => (JsonTypeInfo<T>)Stored.GetTypeInfo(typeof(T));
}

/// <summary>
/// Enums travel by their wire names only. The stock converter also takes integers, so {"status": 77} was stored as
/// a phase that does not exist.
/// </summary>
public sealed class WireEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(namingPolicy: null, allowIntegerValues: false)
    where TEnum : struct, Enum;
