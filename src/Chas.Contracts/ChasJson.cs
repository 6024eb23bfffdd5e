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
public sealed partial class ChasJsonContext : JsonSerializerContext;

public static class ChasJson
{
    public static JsonSerializerOptions Options => ChasJsonContext.Default.Options;

    /// <summary>Indented output for humans (`-o json`).</summary>
    public static JsonSerializerOptions Indented { get; } = new(ChasJsonContext.Default.Options) { WriteIndented = true };
}
