using System.CommandLine;
using Chas.Commands;
using Chas.Contracts;
using Chas.Testing.InProcess;

namespace Chas.Cli.Tests;

/// <summary>
/// Verbs given several servers (--server, CHAS_SERVER, the context) against a real in-process server and a
/// dead address before it: the verb moves on to the live one.
/// </summary>
[Collection(CliProcessState.Name)]
public sealed class ServerListTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chas-cli-servers-").FullName;
    private readonly Dictionary<string, string?> _savedEnv = new();
    private readonly TextWriter _savedOut = Console.Out, _savedError = Console.Error;
    private readonly TextReader _savedIn = Console.In;
    private readonly StringWriter _out = new(), _error = new();
    private readonly string _dead = $"http://127.0.0.1:{Chas.Testing.Ports.PortRanges.FreeTcpPort()}";
    private TestServer _server = null!;

    private readonly RootCommand _root = new("test") { TaskCommands.Ps(), AuthCommands.Login(), AuthCommands.WhoAmI() };

    private string Live => _server.Url.ToString().TrimEnd('/');
    private string ConfigPath => Path.Combine(_dir, "config.json");

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "web", Image = "x" });
        SetEnv("CHAS_CONFIG", ConfigPath);
        SetEnv("CHAS_SERVER", null);
        SetEnv("CHAS_TOKEN", null);
        Connection.HandlerFor = _ => null;
        Console.SetOut(_out);
        Console.SetError(_error);
    }

    public async Task DisposeAsync()
    {
        Connection.HandlerFor = Client.ChasClientTls.HandlerFor;
        Connection.CommandLineServer = null;
        Console.SetOut(_savedOut);
        Console.SetError(_savedError);
        Console.SetIn(_savedIn);
        foreach (var (name, value) in _savedEnv) Environment.SetEnvironmentVariable(name, value);
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private void SetEnv(string name, string? value)
    {
        _savedEnv.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    private Task<int> RunAsync(string line) => ServerOption.Parse(_root, line.Split(' ')).InvokeAsync();

    [Fact]
    public async Task Ps_with_a_dead_server_first_in_its_server_option_answers_from_the_live_one()
    {
        SetEnv("CHAS_TOKEN", _server.Secrets.AdminToken);
        Assert.Equal(0, await RunAsync($"ps -A --server {_dead},{Live}"));
        Assert.Contains("web", _out.ToString());
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public async Task Chas_server_takes_a_list_too_and_a_dead_list_fails_with_one_line()
    {
        SetEnv("CHAS_TOKEN", _server.Secrets.AdminToken);
        SetEnv("CHAS_SERVER", $"{_dead},{Live}");
        Assert.Equal(0, await RunAsync("ps -A"));
        Assert.Contains("web", _out.ToString());

        SetEnv("CHAS_SERVER", $"{_dead},http://127.0.0.1:{Chas.Testing.Ports.PortRanges.FreeTcpPort()}");
        Assert.Equal(1, await RunAsync("ps -A"));
        Assert.StartsWith("error: cannot reach the CHaS server", _error.ToString());
    }

    [Fact]
    public async Task A_context_whose_server_is_a_json_array_is_read_and_its_servers_used_in_turn()
    {
        await File.WriteAllTextAsync(ConfigPath, $$"""
            { "currentContext": "ha", "contexts": { "ha": { "server": ["{{_dead}}", "{{Live}}"], "token": "{{_server.Secrets.AdminToken}}" } } }
            """);
        Assert.Equal($"{_dead},{Live}", CliConfig.Load(ConfigPath).Contexts["ha"].Server);
        Assert.Equal(0, await RunAsync("ps -A"));
        Assert.Contains("web", _out.ToString());
    }

    [Fact]
    public async Task Login_with_several_servers_keeps_them_all_in_the_context()
    {
        await _server.Admin.CreateUserAsync(new CreateUserRequest { Name = "alice", Password = "correct-horse-1", Role = Role.Admin });
        Console.SetIn(new StringReader("correct-horse-1\n"));
        Assert.Equal(0, await RunAsync($"login --server {_dead},{Live} --user alice --password-stdin"));

        var config = CliConfig.Load(ConfigPath);
        Assert.Equal($"{_dead},{Live}", config.Contexts[config.CurrentContext!].Server);
        _out.GetStringBuilder().Clear();
        Assert.Equal(0, await RunAsync("whoami"));
        Assert.Contains("alice", _out.ToString());
    }
}
