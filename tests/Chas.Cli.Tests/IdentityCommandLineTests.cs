using System.CommandLine;
using Chas.Commands;
using Chas.Contracts;

namespace Chas.Cli.Tests;

/// <summary>The sign-in, user, token, invitation, namespace, approval and audit verbs, and -n/-A, parse as docs/cli.md writes them.</summary>
public sealed class IdentityCommandLineTests
{
    private static readonly RootCommand Root = new("test")
    {
        AuthCommands.Login(), AuthCommands.Logout(), AuthCommands.WhoAmI(), AuthCommands.Signup(),
        UserCommands.Create(), TokenCommands.Create(), InviteCommands.Create(), NamespaceCommands.Create(),
        ApprovalCommands.Approve(), ApprovalCommands.Reject(), AuditCommand.Create(),
        TaskCommands.Run(), TaskCommands.Ps(), TaskCommands.Inspect(), TaskCommands.Stop(), TaskCommands.Rm(), LogsCommand.Create(),
        DeploymentCommands.Deploy(), DeploymentCommands.List(), DeploymentCommands.Scale(), DeploymentCommands.Rollout(),
        ApplyCommand.Create(), ServicesCommand.Create(),
    };

    [Theory]
    [InlineData("login --server https://chas.example.com:8443 --user alice --password-stdin")]
    [InlineData("login --server http://127.0.0.1:8080 -u alice --password-stdin --context work --ca-fingerprint sha256:ab12")]
    [InlineData("logout")]
    [InlineData("whoami -o json")]
    [InlineData("signup --server http://127.0.0.1:8080 --invite abc123 --user bob --password-stdin")]
    [InlineData("user create alice --role operator --password-stdin")]
    [InlineData("user ls -o json")]
    [InlineData("user rm alice")]
    [InlineData("user set-role alice admin")]
    [InlineData("token create --expires 30d --description ci")]
    [InlineData("token create")]
    [InlineData("token ls")]
    [InlineData("token revoke tok-1")]
    [InlineData("invite create --role user --uses 5 --expires 24h")]
    [InlineData("invite ls -o json")]
    [InlineData("invite rm inv-1")]
    [InlineData("namespace ls")]
    [InlineData("ns ls -o json")]
    [InlineData("ns create team --cpu 4 --memory 8Gi --gpus 2 --instances 20 --approve-gpus --approve-above-cpu 2 --approve-above-memory 4Gi")]
    [InlineData("namespace rm team")]
    [InlineData("ns grant team alice operator")]
    [InlineData("ns revoke team alice")]
    [InlineData("ns usage team")]
    [InlineData("approve web")]
    [InlineData("approve web -n team")]
    [InlineData("reject web --reason too-big --namespace team")]
    [InlineData("audit --user alice --since 1h --limit 50 -o json")]
    [InlineData("audit --since 2025-01-31T12:00:00Z")]
    [InlineData("run job --image busybox -n team -- true")]
    [InlineData("ps -A")]
    [InlineData("ps -a -n team -o json")]
    [InlineData("inspect job --namespace team")]
    [InlineData("logs job -n 20 --namespace team")]
    [InlineData("stop job -n team")]
    [InlineData("rm -f job -n team")]
    [InlineData("deploy web --image nginx -n team")]
    [InlineData("deployments -A")]
    [InlineData("scale web 3 -n team")]
    [InlineData("rollout status web -n team")]
    [InlineData("rollout undo web -n team")]
    [InlineData("apply -f app.yaml -n team")]
    [InlineData("services -A -o json")]
    [InlineData("services -n team")]
    public void Parses_without_errors(string line)
    {
        Assert.Empty(Root.Parse(line.Split(' ')).Errors);
    }

    [Theory]
    [InlineData("login --user alice --password-stdin")]
    [InlineData("login --server http://x:1")]
    [InlineData("signup --server http://x:1 --user bob --password-stdin")]
    [InlineData("user set-role alice")]
    [InlineData("user create")]
    [InlineData("token revoke")]
    [InlineData("ns grant team alice")]
    [InlineData("reject web")]
    [InlineData("approve")]
    public void Missing_required_parts_are_parse_errors(string line)
    {
        Assert.NotEmpty(Root.Parse(line.Split(' ')).Errors);
    }

    [Fact]
    public void Logs_keeps_minus_n_for_tail()
    {
        var logs = Root.Subcommands.Single(c => c.Name == "logs");
        var result = Root.Parse(["logs", "job", "-n", "5"]);

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.GetValue((Option<int?>)logs.Options.Single(o => o.Name == "--tail")));
        Assert.Null(result.GetValue((Option<string?>)logs.Options.Single(o => o.Name == "--namespace")));
    }

    [Theory]
    [InlineData("viewer", Role.Viewer)]
    [InlineData("OPERATOR", Role.Operator)]
    [InlineData("admin", Role.Admin)]
    public void Roles_take_their_wire_names(string text, Role role)
    {
        Assert.Equal(role, UserCommands.ParseRole(text, "--role"));
    }

    [Fact]
    public void An_unknown_role_names_the_choices()
    {
        var error = Assert.Throws<CliException>(() => UserCommands.ParseRole("root", "--role"));

        Assert.Equal("--role: 'root' is not a role (use viewer, user, operator or admin)", error.Message);
    }

    [Fact]
    public void The_password_is_the_first_line_of_stdin()
    {
        Assert.Equal("s3cret pass", AuthCommands.ReadPassword(true, new StringReader("s3cret pass\r\nsecond line\n")));
        Assert.Equal("--password-stdin: no password on stdin (one line)", Assert.Throws<CliException>(() => AuthCommands.ReadPassword(true, new StringReader(""))).Message);
    }

    [Fact]
    public void Namespace_flags_become_quota_and_approval()
    {
        var request = NamespaceCommands.Request("4", "8Gi", 2, 20, true, "2", "4Gi");

        Assert.Equal(new NamespaceQuota { CpuMillis = 4000, MemoryBytes = 8L << 30, Gpus = 2, Instances = 20 }, request.Quota);
        Assert.Equal(new ApprovalPolicy { Gpus = true, AboveCpuMillis = 2000, AboveMemoryBytes = 4L << 30 }, request.Approval);
        Assert.Null(request.Members);
    }

    [Fact]
    public void No_flags_leave_quota_and_approval_as_they_are()
    {
        var request = NamespaceCommands.Request(null, null, null, null, false, null, null);

        Assert.Null(request.Quota);
        Assert.Null(request.Approval);
        Assert.Equal("--approve-above-memory: 'lots' is not a memory amount (use 512Mi or 8Gi)",
            Assert.Throws<CliException>(() => NamespaceCommands.Request(null, null, null, null, false, null, "lots")).Message);
    }

    [Fact]
    public void Usage_shows_use_next_to_quota()
    {
        var rows = NamespaceCommands.UsageRows(new QuotaUsage { CpuMillis = 1500, MemoryBytes = 1L << 30, Gpus = 1, Instances = 3 },
            new NamespaceQuota { CpuMillis = 4000, Instances = 20 }).ToList();

        Assert.Equal(["cpu", "1500m", "4"], rows[0]);
        Assert.Equal("unlimited", rows[1][2]);
        Assert.Equal(["instances", "3", "20"], rows[3]);
    }

    [Fact]
    public void Since_takes_a_duration_back_from_now_or_a_time()
    {
        var clock = new FixedClock(new DateTimeOffset(2025, 1, 31, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2025, 1, 31, 11, 0, 0, TimeSpan.Zero), AuditCommand.Since("1h", clock));
        Assert.Equal(new DateTimeOffset(2025, 1, 30, 8, 0, 0, TimeSpan.Zero), AuditCommand.Since("2025-01-30T08:00:00Z", clock));
        Assert.Throws<CliException>(() => AuditCommand.Since("yesterday", clock));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
