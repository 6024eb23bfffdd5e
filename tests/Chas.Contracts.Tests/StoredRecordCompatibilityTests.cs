using System.Text.Json;
using Chas.Contracts;

namespace Chas.Contracts.Tests;

/// <summary>
/// Records in the store outlive the version that wrote them (an upgrade, or an older server on the same database):
/// a field added since is missing from them and must read as the default the record declares, never as default(T).
/// </summary>
public class StoredRecordCompatibilityTests
{
    public static TheoryData<Type> StoredTypes =>
    [
        typeof(TaskResource), typeof(NodeResource), typeof(DeploymentResource), typeof(UserResource),
        typeof(SessionResource), typeof(ApiTokenResource), typeof(InvitationResource), typeof(NamespaceResource),
        typeof(EventResource), typeof(AuditEntry),
    ];

    [Theory]
    [MemberData(nameof(StoredTypes))]
    public void A_record_with_every_field_missing_reads_as_a_new_record(Type type)
    {
        var read = JsonSerializer.Deserialize("{}", ChasJson.Stored.GetTypeInfo(type))!;
        var fresh = Activator.CreateInstance(type)!;

        Assert.Equal(Write(fresh, type), Write(read, type));
    }

    [Fact]
    public void A_deployment_written_before_rollout_settings_existed_keeps_their_defaults()
    {
        // The shape of the first deployments (issue 4): no maxSurge, no progress deadline, no namespace.
        const string first = """{"name":"web","uid":"d1","replicas":3,"template":{"image":"nginx","command":[]},"revision":2}""";

        var deployment = JsonSerializer.Deserialize(first, ChasJson.StoredTypeInfo<DeploymentResource>())!;

        Assert.Equal(1, deployment.MaxSurge);
        Assert.Equal(120, deployment.ProgressDeadlineSeconds);
        Assert.Equal(Namespaces.Default, deployment.Namespace);
        Assert.Empty(deployment.History);
        Assert.Empty(deployment.Template.Env);
        Assert.Equal(2, deployment.Revision);
    }

    [Fact]
    public void A_task_written_before_gpus_and_selectors_existed_reads_without_null_lists()
    {
        const string first = """{"name":"t","uid":"u1","image":"busybox","status":"running","node":"n1","createdAt":"2026-11-23T10:00:00+00:00"}""";

        var task = JsonSerializer.Deserialize(first, ChasJson.StoredTypeInfo<TaskResource>())!;

        Assert.Equal(Namespaces.Default, task.Namespace);
        Assert.Empty(task.GpuIndices);
        Assert.Empty(task.NodeSelector);
        Assert.Empty(task.AssignedGpus);
        Assert.Equal(TaskPhase.Running, task.Status);
    }

    [Fact]
    public void A_field_no_version_knows_is_refused_rather_than_dropped_on_the_next_write()
    {
        // Skipping it would let this version's next update of the record silently erase what a newer one stored.
        Assert.ThrowsAny<JsonException>(() =>
            JsonSerializer.Deserialize("""{"name":"t","fieldFromTheFuture":1}""", ChasJson.StoredTypeInfo<TaskResource>()));
    }

    private static string Write(object value, Type type) => JsonSerializer.Serialize(value, ChasJsonContext.Default.GetTypeInfo(type)!);
}
