using System.Net.Http.Json;
using System.Text.Json;
using Chas.EndToEnd.Tests.Infrastructure;
using Docker.DotNet;

namespace Chas.EndToEnd.Tests;

/// <summary>Users, sign-in and namespaces from the CLI, against a real `chas dev`, and what a started container looks like to Docker.</summary>
public sealed class TenancyTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task A_signed_in_user_runs_work_in_their_namespace_and_cannot_see_the_default_one()
    {
        var dev = await StartDevAsync();
        var created = await RunAdminWithInputAsync(dev, Password + "\n", "user", "create", "alice", "--role", "user", "--password-stdin");
        Assert.True(created.ExitCode == 0, created.ToString());

        var alice = new ConfigCli(Path.Combine(dev.TempDir, "alice-config.json"));
        var login = await alice.RunWithInputAsync(Password + "\n", "login", "--server", dev.Url.ToString(), "--user", "alice", "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("namespace alice", login.Stdout);
        var saved = JsonDocument.Parse(await File.ReadAllTextAsync(alice.ConfigPath)).RootElement.ToString();
        Assert.DoesNotContain(Password, saved); // the password itself is never stored
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(alice.ConfigPath));

        var adminTask = await dev.Cli.RunAsync("run", "admins-work", "--image", BusyboxImage.Reference, "--", "sleep", "300");
        Assert.True(adminTask.ExitCode == 0, adminTask.ToString());
        var run = await alice.RunAsync("run", "alices-work", "--image", BusyboxImage.Reference, "--", "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());

        var mine = await alice.RunAsync("ps", "-o", "json");
        Assert.True(mine.ExitCode == 0, mine.ToString());
        var names = JsonDocument.Parse(mine.Stdout).RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(["alices-work"], names);
        Assert.Equal("alice", JsonDocument.Parse(mine.Stdout).RootElement[0].GetProperty("namespace").GetString());

        var theirs = await alice.RunAsync("inspect", "admins-work", "-n", "default");
        Assert.NotEqual(0, theirs.ExitCode);
        Assert.Contains("no such namespace 'default'", theirs.Stderr);
        Assert.Single(theirs.StderrLines);

        var denied = await alice.RunAsync("user", "ls");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("admin", denied.Stderr);

        // The admin sees both, and the audit log says who did what.
        var all = await dev.Cli.RunAsync("ps", "-A", "-o", "json");
        Assert.True(all.ExitCode == 0, all.ToString());
        var everyone = JsonDocument.Parse(all.Stdout).RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "admins-work", "alices-work" }, everyone);
        var audit = await dev.Cli.RunAsync("audit", "--user", "alice", "-o", "json");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        Assert.Contains("/api/v1/tasks", audit.Stdout);

        var logout = await alice.RunAsync("logout");
        Assert.True(logout.ExitCode == 0, logout.ToString());
        var after = await alice.RunAsync("ps");
        Assert.NotEqual(0, after.ExitCode);
    }

    [Fact]
    public async Task A_started_instance_is_hardened_as_docker_inspect_shows()
    {
        var dev = await StartDevAsync();
        var run = await dev.Cli.RunAsync("run", "hardened", "--image", BusyboxImage.Reference, "--", "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        var task = await Eventually.GetAsync(() => dev.Client.GetTaskAsync("hardened"), t => t.ContainerId is not null && t.Status == Chas.Contracts.TaskPhase.Running,
            TimeSpan.FromSeconds(60), "the task runs", dev.Diagnostics);

        using var docker = new DockerClientConfiguration().CreateClient();
        var inspect = await docker.Containers.InspectContainerAsync(task.ContainerId);
        Assert.False(inspect.HostConfig.Privileged);
        Assert.Contains("ALL", inspect.HostConfig.CapDrop);
        Assert.Contains("no-new-privileges", inspect.HostConfig.SecurityOpt);
        Assert.True(inspect.HostConfig.PidsLimit > 0, "a pids limit is set");
        Assert.True(inspect.HostConfig.Memory > 0, "a memory limit is set even though none was asked for");
        Assert.True(inspect.HostConfig.NanoCPUs > 0, "a CPU limit is set even though none was asked for");
    }

    [Fact]
    public async Task Chas_dev_with_tls_prints_its_ca_fingerprint_and_the_cli_trusts_it_through_its_configuration()
    {
        await BusyboxImage.EnsureImportedAsync();
        var temp = Directory.CreateTempSubdirectory("chas-e2e-tls-").FullName;
        var config = Path.Combine(temp, "config.json");
        var port = PortRanges.FreeTcpPort();
        var range = PortRanges.NextPublishRange();
        var log = new OutputLog();
        await using var dev = ChasProcess.Start(
            ["dev", "--tls", "--data-dir", Path.Combine(temp, "data"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--ingress-port", "0", "--node-name", "tls-" + port, "--port-range", $"{range.From}-{range.To}"], config, log, "dev-tls");
        try
        {
            var fingerprintLine = await Eventually.GetAsync(() => Task.FromResult(log.Tail().Split('\n').FirstOrDefault(l => l.Contains("CA fingerprint: sha256:"))),
                l => l is not null, TimeSpan.FromSeconds(60), "chas dev prints the CA fingerprint", log.Tail);
            Assert.Matches("sha256:[0-9a-f]{64}", fingerprintLine);

            var cli = new ConfigCli(config);
            var nodes = await Eventually.GetAsync(() => cli.RunAsync("nodes", "-o", "json"), r => r.ExitCode == 0 && r.Stdout.Contains("\"ready\""),
                TimeSpan.FromSeconds(60), "`chas nodes` answers over https through the configuration's CA", log.Tail);
            Assert.Contains("https://", await File.ReadAllTextAsync(config));

            // Without the CA, the same server is not trusted.
            using var untrusting = new HttpClient();
            await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync($"https://127.0.0.1:{port}/healthz"));
            Output.WriteLine(nodes.Stdout);
        }
        finally
        {
            await dev.KillAsync();
            Output.WriteLine(log.Tail());
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    private static Task<CliResult> RunAdminWithInputAsync(ChasDevProcess dev, string stdin, params string[] args)
    {
        var admin = new ConfigCli(dev.CliConfigPath, dev.Url, dev.AdminToken);
        return admin.RunWithInputAsync(stdin, args);
    }
}
