namespace Chas.Store.Tests.Sqlite;

/// <summary><see cref="StoreCopy"/> (`chas admin migrate`) between two SQLite files; the PostgreSQL tests copy into PostgreSQL.</summary>
public sealed class StoreCopyTests
{
    [Fact]
    public async Task Every_object_of_every_kind_arrives_and_the_checksums_match()
    {
        // Not fsynced: 1,203 commits to fill it are not what this test is about.
        await using var source = await TempSqliteStore.CreateAsync(o => o with { SynchronousFull = false });
        await using var target = await TempSqliteStore.CreateAsync();
        for (var i = 0; i < 1203; i++)
        {
            await source.Store.CommitAsync([WriteOp.Create("tasks", $"default/t{i:D4}", $"{{\"n\":{i}}}")]);
        }
        await source.Store.CommitAsync([WriteOp.Create("nodes", "n1", "{\"name\":\"n1\"}"), WriteOp.Create("users", "ada", "{\"name\":\"ada\"}")]);
        await source.Store.CommitAsync([WriteOp.Delete("users", "ada")]);

        var report = await StoreCopy.CopyAsync(source.Store, target.Store);

        Assert.Equal(new Dictionary<string, int> { ["nodes"] = 1, ["tasks"] = 1203 }, report.CountsByKind);
        Assert.True(report.Matches, $"{report.SourceChecksum} != {report.TargetChecksum}");
        var copied = await target.Store.GetAsync("tasks", "default/t0777");
        Assert.Equal("{\"n\":777}", copied?.Json);
        Assert.Null(await target.Store.GetAsync("users", "ada"));
    }

    [Fact]
    public async Task A_target_that_already_holds_state_is_refused_and_left_as_it_was()
    {
        await using var source = await TempSqliteStore.CreateAsync();
        await using var target = await TempSqliteStore.CreateAsync();
        await source.Store.CommitAsync([WriteOp.Create("tasks", "default/a", "{}")]);
        var before = await target.Store.CommitAsync([WriteOp.Create("nodes", "live", "{}")]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StoreCopy.CopyAsync(source.Store, target.Store));

        Assert.Contains("not empty", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, target.Store.CurrentRevision);
        Assert.Null(await target.Store.GetAsync("tasks", "default/a"));
    }

    [Fact]
    public async Task The_checksum_tells_a_changed_object_from_an_equal_copy()
    {
        await using var a = await TempSqliteStore.CreateAsync();
        await using var b = await TempSqliteStore.CreateAsync();
        await a.Store.CommitAsync([WriteOp.Create("tasks", "x", "{\"v\":1}")]);
        await b.Store.CommitAsync([WriteOp.Create("tasks", "x", "{\"v\":1}")]);
        var equal = await StoreCopy.ChecksumAsync(b.Store, ["tasks"]);
        Assert.Equal(await StoreCopy.ChecksumAsync(a.Store, ["tasks"]), equal);

        var current = await b.Store.GetAsync("tasks", "x");
        await b.Store.CommitAsync([WriteOp.Update("tasks", "x", current!.Version, "{\"v\":2}")]);

        Assert.NotEqual(equal, await StoreCopy.ChecksumAsync(b.Store, ["tasks"]));
    }
}
