using System.Text.Json.Serialization;

namespace Chas.Contracts;

[JsonConverter(typeof(WireEnumConverter<NodeStatus>))]
public enum NodeStatus
{
    [JsonStringEnumMemberName("ready")] Ready,
    [JsonStringEnumMemberName("notready")] NotReady,
}

public static class NodeStatusExtensions
{
    public static string ToWire(this NodeStatus status) => status == NodeStatus.Ready ? "ready" : "notready";
}
