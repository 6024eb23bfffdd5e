using System.CommandLine;
using Chas.Cli;
using Chas.Client;

namespace Chas.Commands;

/// <summary>`chas approve|reject NAME`: let a workload waiting in pending-approval start, or turn it down (operator).</summary>
internal static class ApprovalCommands
{
    public static Command Approve()
    {
        var name = new Argument<string>("name") { Description = "Deployment or task waiting for approval" };
        var ns = NamespaceOption.Create();
        var cmd = new Command("approve", "Approve a deployment or task waiting for approval") { name, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var n = parse.GetValue(name)!;
            var kind = await EitherAsync(client, n,
                () => client.ApproveDeploymentAsync(n, ct: token),
                () => client.ApproveTaskAsync(n, ct: token), token);
            Console.Out.WriteLine($"{kind}/{n} approved");
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Reject()
    {
        var name = new Argument<string>("name") { Description = "Deployment or task waiting for approval" };
        var reason = new Option<string>("--reason") { Description = "Why (shown to its owner)", Required = true };
        var ns = NamespaceOption.Create();
        var cmd = new Command("reject", "Reject a deployment or task waiting for approval") { name, reason, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var n = parse.GetValue(name)!;
            var why = parse.GetValue(reason)!;
            if (string.IsNullOrWhiteSpace(why)) throw new CliException("--reason: say why it is rejected");
            var kind = await EitherAsync(client, n,
                () => client.RejectDeploymentAsync(n, why, ct: token),
                () => client.RejectTaskAsync(n, why, ct: token), token);
            Console.Out.WriteLine($"{kind}/{n} rejected");
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>The deployment of that name, else the task; "deployment" or "task". Neither: one line with the closest name of either.</summary>
    private static async Task<string> EitherAsync(ChasClient client, string name, Func<Task> deployment, Func<Task> task, CancellationToken ct)
    {
        try
        {
            await deployment();
            return "deployment";
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
        }
        try
        {
            await task();
            return "task";
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            var deployments = (await client.ListDeploymentsAsync(ct)).Items.Select(d => d.Name);
            var tasks = (await client.ListTasksAsync(ct: ct)).Items.Select(t => t.Name);
            var suggestion = Suggestions.Closest(name, deployments.Concat(tasks));
            throw new CliException(suggestion is null ? $"no such deployment or task '{name}'" : $"no such deployment or task '{name}' — did you mean '{suggestion}'?");
        }
    }
}
