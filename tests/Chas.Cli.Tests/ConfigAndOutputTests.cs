using System.CommandLine;
using Chas.Commands;
using Chas.Contracts;

namespace Chas.Cli.Tests;

/// <summary>`chas config` contexts, `chas completion`, and `-o yaml` printing the same shape as `-o json`.</summary>
[Collection(CliProcessState.Name)]
public sealed class ConfigAndOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chas-cli-config-").FullName;
    private readonly StubServer _server = new();
    private readonly Dictionary<string, string?> _savedEnv = new();
    private readonly TextWriter _savedOut = Console.Out, _savedError = Console.Error;
    private readonly StringWriter _out = new(), _error = new();

    private static readonly RootCommand Root = new("test") { ConfigCommands.Create(), CompletionCommand.Create(), NodesCommand.Create() };

    public ConfigAndOutputTests()
    {
        SetEnv("CHAS_CONFIG", ConfigPath);
        SetEnv("CHAS_SERVER", null);
        SetEnv("CHAS_TOKEN", null);
        Connection.HandlerFor = _ => _server.Handler();
        Console.SetOut(_out);
        Console.SetError(_error);
        new CliConfig()
            .WithContext("dev", new CliContextEntry { Server = "http://127.0.0.1:8080", Token = "t" }, makeCurrent: true)
            .WithContext("prod", new CliContextEntry { Server = "https://chas.example:8443", User = "alice", Namespace = "team" }, makeCurrent: false)
            .Save(ConfigPath);
    }

    private string ConfigPath => Path.Combine(_dir, "config.json");

    public void Dispose()
    {
        Connection.HandlerFor = Client.ChasClientTls.HandlerFor;
        Console.SetOut(_savedOut);
        Console.SetError(_savedError);
        foreach (var (name, value) in _savedEnv) Environment.SetEnvironmentVariable(name, value);
        Directory.Delete(_dir, recursive: true);
    }

    private void SetEnv(string name, string? value)
    {
        _savedEnv.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    private Task<int> RunAsync(params string[] args) => Root.Parse(args).InvokeAsync();

    [Fact]
    public async Task Get_contexts_marks_the_current_one_and_use_context_switches()
    {
        Assert.Equal(0, await RunAsync("config", "get-contexts"));
        var lines = _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("*", lines.Single(l => l.Contains("dev")).TrimStart());
        Assert.Contains("team", lines.Single(l => l.Contains("prod")));

        Assert.Equal(0, await RunAsync("config", "use-context", "prod"));
        Assert.Equal("prod", CliConfig.Load(ConfigPath).CurrentContext);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
    }

    [Fact]
    public async Task A_mistyped_context_suggests_the_close_one_and_changes_nothing()
    {
        Assert.Equal(1, await RunAsync("config", "use-context", "prd"));
        Assert.Equal("error: no such context 'prd' — did you mean 'prod'?\n", _error.ToString());
        Assert.Equal("dev", CliConfig.Load(ConfigPath).CurrentContext);
    }

    [Fact]
    public async Task Set_context_changes_the_default_namespace()
    {
        Assert.Equal(0, await RunAsync("config", "set-context", "--namespace", "web"));
        Assert.Equal("web", CliConfig.Load(ConfigPath).Contexts["dev"].Namespace);
        Assert.Equal("t", CliConfig.Load(ConfigPath).Contexts["dev"].Token);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _chas_complete chas")]
    [InlineData("zsh", "compdef _chas chas")]
    public async Task Completion_prints_a_script_that_asks_chas_for_suggestions(string shell, string registration)
    {
        Assert.Equal(0, await RunAsync("completion", shell));
        Assert.Contains(registration, _out.ToString());
        Assert.Contains("[suggest:", _out.ToString());
    }

    [Fact]
    public async Task Completion_for_an_unknown_shell_is_a_parse_error()
    {
        Assert.NotEmpty(Root.Parse(["completion", "fish"]).Errors);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Yaml_output_has_the_json_fields()
    {
        _server.On("GET /api/v1/nodes", new ResourceList<NodeResource>
        {
            Items = [new NodeResource { Name = "n1", Address = "127.0.0.1", Status = NodeStatus.Ready, Labels = new Dictionary<string, string> { ["zone"] = "true" } }],
            Revision = 3,
        });
        Assert.Equal(0, await RunAsync("nodes", "-o", "yaml"));
        var yaml = _out.ToString();
        Assert.Contains("- name: n1", yaml);
        Assert.Contains("status: ready", yaml);
        Assert.Contains("zone: \"true\"", yaml); // a string that looks like a boolean stays a string
    }
}
