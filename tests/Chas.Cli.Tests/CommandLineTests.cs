using System.CommandLine;
using Chas.Commands;

namespace Chas.Cli.Tests;

/// <summary>The new verbs and flags parse as the CLI reference writes them, next to the old ones (nothing is invoked).</summary>
public sealed class CommandLineTests
{
    private static readonly RootCommand Root = new("test")
    {
        TaskCommands.Run(), TaskCommands.Ps(), TaskCommands.Rm(), NodesCommand.Create(),
        DeploymentCommands.Deploy(), DeploymentCommands.List(), DeploymentCommands.Scale(), DeploymentCommands.Rollout(),
        ApplyCommand.Create(), NodeCommand.Create(),
    };

    [Theory]
    [InlineData("deploy web --image nginx --replicas 3 --port 80 --port 53/udp -e A=B --cpu 500m --memory 256Mi --gpus 1 --strategy binpack --node-selector zone=a --max-surge 2 --max-unavailable 1 --progress-deadline 90s --readiness http:80/ --liveness tcp:80 --probe-period 2s -- nginx -g x")]
    [InlineData("deployments -o json")]
    [InlineData("scale web 5")]
    [InlineData("rollout status web --timeout 30s")]
    [InlineData("rollout undo web")]
    [InlineData("apply -f app.yaml -f -")]
    [InlineData("node cordon n1")]
    [InlineData("node uncordon n1")]
    [InlineData("node drain n1 --wait --timeout 1m")]
    [InlineData("nodes -o table")]
    [InlineData("ps -a --deployment web -o json")]
    [InlineData("rm -f job deployment/web")]
    [InlineData("run job --image busybox --restart on-failure --max-restarts 3 --gpus 1 --gpu-indices 0,2 --node-selector a=b --node-selector c=d --strategy spread -p 8080 --wait -- sh -c true")]
    public void Parses_without_errors(string line)
    {
        var result = Root.Parse(line.Split(' '));

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Everything_after_the_double_dash_is_the_command()
    {
        var deploy = (Command)Root.Subcommands.Single(c => c.Name == "deploy");
        var result = Root.Parse(["deploy", "web", "--image", "nginx", "--", "sh", "-c", "--replicas 3"]);

        Assert.Empty(result.Errors);
        var command = deploy.Arguments.Single(a => a.Name == "command");
        Assert.Equal(["sh", "-c", "--replicas 3"], result.GetValue((Argument<string[]>)command)!);
    }

    [Theory]
    [InlineData("deploy web")]
    [InlineData("apply")]
    [InlineData("node")]
    [InlineData("rollout")]
    public void Missing_required_parts_are_parse_errors(string line)
    {
        Assert.NotEmpty(Root.Parse(line.Split(' ')).Errors);
    }
}
