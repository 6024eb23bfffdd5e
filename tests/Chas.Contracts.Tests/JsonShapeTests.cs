using System.Text.Json;
using Chas.Contracts;

namespace Chas.Contracts.Tests;

/// <summary>The wire names the CLI's -o json and scripts rely on.</summary>
public class JsonShapeTests
{
    [Fact]
    public void Tasks_serialize_with_lowercase_status_and_flat_fields()
    {
        var task = new TaskResource { Name = "t", Status = TaskPhase.Failed, Node = "n1", ExitCode = 3, Error = "exited with code 3" };
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(task, ChasJsonContext.Default.TaskResource));
        var root = doc.RootElement;
        Assert.Equal("t", root.GetProperty("name").GetString());
        Assert.Equal("failed", root.GetProperty("status").GetString());
        Assert.Equal("n1", root.GetProperty("node").GetString());
        Assert.Equal(3, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("exited with code 3", root.GetProperty("error").GetString());
        Assert.False(root.TryGetProperty("requests", out _));
    }

    [Fact]
    public void Node_status_is_ready_or_notready()
    {
        var json = JsonSerializer.Serialize(new NodeResource { Name = "n", Status = NodeStatus.NotReady, Address = "10.0.0.1" }, ChasJsonContext.Default.NodeResource);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("notready", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("10.0.0.1", doc.RootElement.GetProperty("address").GetString());
    }

    [Fact]
    public void Unknown_fields_are_rejected_with_their_path()
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("{\"name\":\"a\",\"imgae\":\"x\"}", ChasJsonContext.Default.CreateTaskRequest));
        Assert.Contains("imgae", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_phase_round_trips_through_its_wire_name()
    {
        foreach (var phase in Enum.GetValues<TaskPhase>())
        {
            var json = JsonSerializer.Serialize(phase, ChasJsonContext.Default.Options);
            Assert.Equal($"\"{phase.ToWire()}\"", json);
        }
    }
}
