using Chas.Client;
using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;
using Chas.Testing.Postgres;

namespace Chas.EndToEnd.Tests;

/// <summary>`chas admin migrate`: a stopped SQLite server's state, secrets included, carried on by a `chas server --store` on PostgreSQL.</summary>
public sealed class MigrateTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task A_migrated_store_serves_the_same_objects_and_accepts_the_old_tokens()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = postgres.UriFor(await postgres.CreateDatabaseAsync());
        await using var old = await ChasServerProcess.StartAsync();
        // No node joins: the task stays pending, which is all this needs of it.
        var run = await old.Cli.RunAsync("run", "kept", "--image", BusyboxImage.Reference, "--", "echo", "hi");
        Assert.True(run.ExitCode == 0, run.ToString());
        await old.Client.CreateUserAsync(new CreateUserRequest { Name = "ada", Password = "correct-horse-battery", Role = Role.User });
        using var signIn = new ChasClient(old.Url, "");
        using var asAda = new ChasClient(old.Url, (await signIn.LoginAsync("ada", "correct-horse-battery")).AccessToken);
        var apiToken = (await asAda.CreateTokenAsync(new CreateTokenRequest { Description = "ci" })).Token!;

        var refused = await old.Cli.RunAsync("admin", "migrate", "--to", database, "--data-dir", old.DataDir);
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Contains("stop it first", refused.Stderr, StringComparison.Ordinal);

        await old.StopAsync();
        var migrate = await old.Cli.RunAsync("admin", "migrate", "--to", database, "--data-dir", old.DataDir);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains(migrate.StdoutLines, line => line.TrimStart().StartsWith("cluster-secrets", StringComparison.Ordinal));
        var checksums = migrate.StdoutLines.Where(line => line.Contains(" checksum ", StringComparison.Ordinal)).Select(line => line.Split(' ')[^1]).ToList();
        Assert.Equal(2, checksums.Count);
        Assert.Equal(checksums[0], checksums[1]);

        // A server with a fresh data directory of its own: its tokens can only have come from the store.
        await using var migrated = await ChasServerProcess.StartAsync("--store", database);
        Assert.Equal(old.AdminToken, migrated.AdminToken);
        Assert.Equal(old.NodeToken, migrated.NodeToken);
        var task = await migrated.Client.GetTaskAsync("kept");
        Assert.Equal(BusyboxImage.Reference, task.Image);
        Assert.Contains(await migrated.Client.ListUsersAsync(), user => user.Name == "ada" && user.Role == Role.User);
        using var withApiToken = new ChasClient(migrated.Url, apiToken);
        Assert.Equal("ada", (await withApiToken.WhoAmIAsync()).Name);
        using var anonymous = new ChasClient(migrated.Url, "");
        Assert.False(string.IsNullOrEmpty((await anonymous.LoginAsync("ada", "correct-horse-battery")).AccessToken));

        var again = await old.Cli.RunAsync("admin", "migrate", "--to", database, "--data-dir", old.DataDir);
        Assert.True(again.ExitCode != 0, again.ToString());
        var why = Assert.Single(again.StderrLines);
        Assert.Contains("not empty", why, StringComparison.Ordinal);
    }
}
