using System.CommandLine;
using System.Net;
using System.Text.Json;
using Chas.Commands;
using Chas.Contracts;

namespace Chas.Cli.Tests;

/// <summary>These tests swap process-wide state (the console, CHAS_* variables, the connection's handler): never in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliProcessState
{
    public const string Name = "cli process state";
}

/// <summary>
/// Verbs run for real against a <see cref="StubServer"/>: the configuration file in a temporary
/// directory, the console captured. Covers the silent refresh, -n reaching the request, and
/// server problems becoming one line.
/// </summary>
[Collection(CliProcessState.Name)]
public sealed class CliSessionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chas-cli-").FullName;
    private readonly StubServer _server = new();
    private readonly Dictionary<string, string?> _savedEnv = new();
    private readonly TextWriter _savedOut = Console.Out, _savedError = Console.Error;
    private readonly TextReader _savedIn = Console.In;
    private readonly StringWriter _out = new(), _error = new();

    private static readonly RootCommand Root = new("test")
    {
        AuthCommands.Login(), AuthCommands.Logout(), AuthCommands.WhoAmI(), UserCommands.Create(), TokenCommands.Create(),
        NamespaceCommands.Create(), ApprovalCommands.Approve(), ApprovalCommands.Reject(), AuditCommand.Create(),
        TaskCommands.Run(), TaskCommands.Ps(), TaskCommands.Inspect(), DeploymentCommands.Deploy(), DeploymentCommands.List(), ServicesCommand.Create(),
        TaskCommands.Stop(),
    };

    public CliSessionTests()
    {
        SetEnv("CHAS_CONFIG", ConfigPath);
        SetEnv("CHAS_SERVER", null);
        SetEnv("CHAS_TOKEN", null);
        Connection.HandlerFor = _ => _server.Handler();
        Console.SetOut(_out);
        Console.SetError(_error);
    }

    private string ConfigPath => Path.Combine(_dir, "config.json");

    public void Dispose()
    {
        Connection.HandlerFor = Client.ChasClientTls.HandlerFor;
        Console.SetOut(_savedOut);
        Console.SetError(_savedError);
        Console.SetIn(_savedIn);
        foreach (var (name, value) in _savedEnv) Environment.SetEnvironmentVariable(name, value);
        Directory.Delete(_dir, recursive: true);
    }

    private void SetEnv(string name, string? value)
    {
        _savedEnv.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    private Task<int> RunAsync(string line) => Root.Parse(line.Split(' ')).InvokeAsync();

    private void SignedIn(DateTimeOffset expiresAt, string? ns = null) =>
        new CliConfig().WithContext("lab", new CliContextEntry
        {
            Server = "http://chas.test:8080",
            Token = "old-access",
            RefreshToken = "old-refresh",
            TokenExpiresAt = expiresAt,
            User = "alice",
            Namespace = ns,
        }, makeCurrent: true).Save(ConfigPath);

    private static LoginResponse Login(string access, string refresh) => new()
    {
        AccessToken = access,
        AccessTokenExpiresAt = DateTimeOffset.UtcNow.AddMinutes(15),
        RefreshToken = refresh,
        RefreshTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(30),
        User = "alice",
        Role = Role.User,
        Namespace = "alice",
    };

    private static readonly ResourceList<TaskResource> NoTasks = new();

    /// <summary>Mode 0600: the file holds tokens.</summary>
    private static void AssertPrivate(string path)
    {
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_token_about_to_expire_is_refreshed_saved_with_mode_0600_and_used()
    {
        SignedIn(DateTimeOffset.UtcNow.AddSeconds(30));
        _server.On("POST /api/v1/auth/refresh", Login("new-access", "new-refresh"))
               .On("GET /api/v1/tasks", NoTasks);

        Assert.Equal(0, await RunAsync("ps"));

        var refresh = _server.Requests[0];
        Assert.Equal("/api/v1/auth/refresh", refresh.PathAndQuery);
        Assert.Null(refresh.Bearer);
        Assert.Equal("old-refresh", JsonDocument.Parse(refresh.Body!).RootElement.GetProperty("refreshToken").GetString());
        Assert.Equal("new-access", _server.Requests[1].Bearer);

        var saved = CliConfig.Load(ConfigPath).Contexts["lab"];
        Assert.Equal("new-access", saved.Token);
        Assert.Equal("new-refresh", saved.RefreshToken);
        Assert.True(saved.TokenExpiresAt > DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal("lab", CliConfig.Load(ConfigPath).CurrentContext);
        AssertPrivate(ConfigPath);
    }

    [Fact]
    public async Task A_token_already_expired_is_refreshed_too()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(-1));
        _server.On("POST /api/v1/auth/refresh", Login("new-access", "new-refresh")).On("GET /api/v1/tasks", NoTasks);

        Assert.Equal(0, await RunAsync("ps"));
        Assert.Equal("new-access", _server.Requests.Last().Bearer);
    }

    [Fact]
    public async Task A_fresh_token_is_used_as_it_is()
    {
        SignedIn(DateTimeOffset.UtcNow.AddMinutes(10));
        _server.On("GET /api/v1/tasks", NoTasks);

        Assert.Equal(0, await RunAsync("ps"));

        var only = Assert.Single(_server.Requests);
        Assert.Equal("old-access", only.Bearer);
    }

    [Fact]
    public async Task A_refused_refresh_asks_to_sign_in_again()
    {
        SignedIn(DateTimeOffset.UtcNow.AddSeconds(5));
        _server.On("POST /api/v1/auth/refresh", _ => StubServer.Problem(HttpStatusCode.Unauthorized, "Unauthorized", "the session was revoked"));

        Assert.Equal(1, await RunAsync("ps"));

        Assert.Equal("error: your session has expired; sign in again: chas login --server http://chas.test:8080 --user alice\n", _error.ToString().Replace("\r", ""));
        Assert.Equal("old-refresh", CliConfig.Load(ConfigPath).Contexts["lab"].RefreshToken);
    }

    [Fact]
    public async Task A_refresh_lost_to_another_chas_process_uses_what_that_one_saved()
    {
        SignedIn(DateTimeOffset.UtcNow.AddSeconds(5));
        _server.On("POST /api/v1/auth/refresh", _ =>
        {
            // The other process spent "old-refresh" a moment earlier and saved its new pair.
            var config = CliConfig.Load(ConfigPath);
            var mine = config.Contexts["lab"];
            config.WithContext("lab", mine with { Token = "their-access", RefreshToken = "their-refresh", TokenExpiresAt = DateTimeOffset.UtcNow.AddMinutes(15) }, false).Save(ConfigPath);
            return StubServer.Problem(HttpStatusCode.Unauthorized, "Unauthorized");
        }).On("GET /api/v1/tasks", NoTasks);

        Assert.Equal(0, await RunAsync("ps"));
        Assert.Equal("their-access", _server.Requests.Last().Bearer);
    }

    [Fact]
    public async Task Minus_n_reaches_the_request_as_a_namespace_query()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On("GET /api/v1/tasks", NoTasks)
               .On("GET /api/v1/tasks/job", new TaskResource { Name = "job", Namespace = "team", Image = "busybox" })
               .On("PUT /api/v1/deployments/web", new DeploymentResource { Name = "web", Namespace = "team", Revision = 1 });

        Assert.Equal(0, await RunAsync("ps -n team"));
        Assert.Equal(0, await RunAsync("inspect job --namespace team"));
        Assert.Equal(0, await RunAsync("deploy web --image nginx -n team"));

        Assert.Equal(["/api/v1/tasks?namespace=team", "/api/v1/tasks/job?namespace=team", "/api/v1/deployments/web?namespace=team"],
            _server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task The_context_namespace_applies_unless_minus_A()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1), ns: "alice");
        _server.On("GET /api/v1/tasks", new ResourceList<TaskResource>
        {
            Items = [new TaskResource { Name = "job", Namespace = "team", Image = "busybox", CreatedAt = DateTimeOffset.UtcNow }],
        });

        Assert.Equal(0, await RunAsync("ps"));
        Assert.Equal(0, await RunAsync("ps -A"));

        Assert.Equal(["/api/v1/tasks?namespace=alice", "/api/v1/tasks"], _server.Requests.Select(r => r.PathAndQuery));
        var lines = _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME ", lines[0]);
        Assert.StartsWith("NAMESPACE ", lines[2]);
        Assert.StartsWith("team ", lines[3]);
    }

    [Fact]
    public async Task Minus_n_and_minus_A_together_are_refused()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));

        Assert.Equal(1, await RunAsync("ps -A -n team"));
        Assert.Contains("not both", _error.ToString());
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_forbidden_answer_is_one_line_and_exit_1()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On("GET /api/v1/users", _ => StubServer.Problem(HttpStatusCode.Forbidden, "Forbidden", "managing users needs the admin role"));

        Assert.Equal(1, await RunAsync("user ls"));

        Assert.Equal("error: managing users needs the admin role\n", _error.ToString().Replace("\r", ""));
        Assert.Equal("", _out.ToString());
    }

    [Fact]
    public async Task Approving_what_is_neither_deployment_nor_task_suggests_a_name()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On("GET /api/v1/deployments", new ResourceList<DeploymentResource> { Items = [new DeploymentResource { Name = "web" }] })
               .On("GET /api/v1/tasks", NoTasks);

        Assert.Equal(1, await RunAsync("approve webb -n team"));

        Assert.Equal("error: no such deployment or task 'webb' — did you mean 'web'?\n", _error.ToString().Replace("\r", ""));
        Assert.Equal("/api/v1/deployments/webb/approve?namespace=team", _server.Requests[0].PathAndQuery);
        Assert.Equal("/api/v1/tasks/webb/approve?namespace=team", _server.Requests[1].PathAndQuery);
    }

    [Fact]
    public async Task Reject_falls_back_to_the_task_and_sends_the_reason()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On("POST /api/v1/tasks/train/reject", new TaskResource { Name = "train" });

        Assert.Equal(0, await RunAsync("reject train --reason too-many-gpus"));

        Assert.Equal("task/train rejected\n", _out.ToString().Replace("\r", ""));
        Assert.Equal("too-many-gpus", JsonDocument.Parse(_server.Requests[1].Body!).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Login_reads_the_password_from_stdin_and_keeps_the_session_in_a_new_current_context()
    {
        Console.SetIn(new StringReader("pa55word\n"));
        _server.On("POST /api/v1/auth/login", Login("access-1", "refresh-1"));

        Assert.Equal(0, await RunAsync("login --server http://chas.test:9000 --user alice --password-stdin"));

        var body = JsonDocument.Parse(_server.Requests.Single().Body!).RootElement;
        Assert.Equal("alice", body.GetProperty("user").GetString());
        Assert.Equal("pa55word", body.GetProperty("password").GetString());
        Assert.Equal("signed in to http://chas.test:9000 as alice (role user, namespace alice)\n", _out.ToString().Replace("\r", ""));
        var config = CliConfig.Load(ConfigPath);
        Assert.Equal("chas.test:9000", config.CurrentContext);
        var context = config.Contexts["chas.test:9000"];
        Assert.Equal(("http://chas.test:9000", "access-1", "refresh-1", "alice", "alice"), (context.Server, context.Token, context.RefreshToken, context.User, context.Namespace));
        AssertPrivate(ConfigPath);
    }

    [Fact]
    public async Task Wrong_credentials_are_one_line()
    {
        Console.SetIn(new StringReader("nope\n"));
        _server.On("POST /api/v1/auth/login", _ => StubServer.Problem(HttpStatusCode.Unauthorized, "Unauthorized"));

        Assert.Equal(1, await RunAsync("login --server http://chas.test:9000 --user alice --password-stdin"));

        Assert.Equal("error: sign-in to http://chas.test:9000 failed: wrong user name or password\n", _error.ToString().Replace("\r", ""));
        Assert.False(File.Exists(ConfigPath));
    }

    [Fact]
    public async Task Too_many_attempts_say_when_to_try_again()
    {
        Console.SetIn(new StringReader("pw\n"));
        _server.On("POST /api/v1/auth/login", _ =>
        {
            var answer = StubServer.Problem(HttpStatusCode.TooManyRequests, "Too Many Requests");
            answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
            return answer;
        });

        Assert.Equal(1, await RunAsync("login --server http://chas.test:9000 --user alice --password-stdin"));
        Assert.Equal("error: too many sign-in attempts; try again in 30s\n", _error.ToString().Replace("\r", ""));
    }

    [Fact]
    public async Task Logout_revokes_the_session_and_forgets_the_tokens()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On("POST /api/v1/auth/logout", _ => new HttpResponseMessage(HttpStatusCode.NoContent));

        Assert.Equal(0, await RunAsync("logout"));

        Assert.Equal("old-refresh", JsonDocument.Parse(_server.Requests.Single().Body!).RootElement.GetProperty("refreshToken").GetString());
        var context = CliConfig.Load(ConfigPath).Contexts["lab"];
        Assert.Equal((null, null, null, "http://chas.test:8080"), (context.Token, context.RefreshToken, context.TokenExpiresAt, context.Server));
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public async Task Logout_from_an_unreachable_server_still_signs_out_locally_with_a_warning()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.Failure = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");

        Assert.Equal(0, await RunAsync("logout"));

        Assert.StartsWith("warning: could not revoke the session on http://chas.test:8080", _error.ToString());
        Assert.Null(CliConfig.Load(ConfigPath).Contexts["lab"].RefreshToken);
    }

    [Fact]
    public async Task Token_create_prints_the_token_alone_on_stdout()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On("POST /api/v1/tokens", new ApiTokenView { Id = "t1", User = "alice", Token = "chas_secret" }, HttpStatusCode.Created);

        Assert.Equal(0, await RunAsync("token create --expires 30d --description ci"));

        Assert.Equal("chas_secret\n", _out.ToString().Replace("\r", ""));
        Assert.Contains("shown only this once", _error.ToString());
        var body = JsonDocument.Parse(_server.Requests.Single().Body!).RootElement;
        Assert.Equal(30 * 86400, body.GetProperty("expiresInSeconds").GetDouble());
        Assert.Equal("ci", body.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Audit_sends_its_filters_as_a_query()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On<IReadOnlyList<AuditEntry>>("GET /api/v1/audit",
            [new AuditEntry { Time = new DateTimeOffset(2025, 1, 31, 12, 0, 0, TimeSpan.Zero), User = "alice", Method = "POST", Path = "/api/v1/tasks", Status = 201 }]);

        Assert.Equal(0, await RunAsync("audit --user alice --since 2025-01-30T00:00:00Z --limit 10"));

        Assert.Equal("/api/v1/audit?user=alice&since=2025-01-30T00%3A00%3A00.0000000%2B00%3A00&limit=10", _server.Requests.Single().PathAndQuery);
        var lines = _out.ToString().Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("TIME                   USER    METHOD   PATH            STATUS", lines[0]);
        Assert.Equal("2025-01-31T12:00:00Z   alice   POST     /api/v1/tasks   201", lines[1]);
    }

    [Fact]
    public async Task Stop_goes_on_past_a_name_that_fails_and_exits_1()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On("POST /api/v1/tasks/x/stop", new TaskResource { Name = "x", Image = "busybox" })
               .On("POST /api/v1/tasks/z/stop", new TaskResource { Name = "z", Image = "busybox" });

        Assert.Equal(1, await RunAsync("stop x nosuch z"));

        Assert.Equal(["/api/v1/tasks/x/stop", "/api/v1/tasks/nosuch/stop", "/api/v1/tasks/z/stop"], _server.Requests.Select(r => r.PathAndQuery));
        Assert.Equal(["x", "z"], _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("nosuch", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespace_create_changes_only_the_quota_limits_it_names()
    {
        SignedIn(DateTimeOffset.UtcNow.AddHours(1));
        _server.On<IReadOnlyList<NamespaceResource>>("GET /api/v1/namespaces",
                   [new NamespaceResource { Name = "q1", Quota = new NamespaceQuota { Instances = 2, CpuMillis = 4000 } }])
               .On("PUT /api/v1/namespaces/q1", new NamespaceResource { Name = "q1" });

        Assert.Equal(0, await RunAsync("namespace create q1 --memory 50Mi"));

        var put = JsonSerializer.Deserialize(_server.Requests.Single(r => r.Method == HttpMethod.Put).Body!, ChasJsonContext.Default.ApplyNamespaceRequest)!;
        Assert.Equal(new NamespaceQuota { Instances = 2, CpuMillis = 4000, MemoryBytes = 50L << 20 }, put.Quota);
    }
}
