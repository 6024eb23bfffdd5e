using System.CommandLine;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas node cordon|uncordon|drain|rm NAME`: take a node out of scheduling, empty it of deployment instances, forget it.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var cordon = Action("cordon", "Mark a node unschedulable: what runs there stays (but system deployments leave it), new work goes elsewhere", (client, name, ct) => client.CordonNodeAsync(name, ct));
        var uncordon = Action("uncordon", "Make a cordoned or drained node schedulable again", (client, name, ct) => client.UncordonNodeAsync(name, ct));

        var name = new Argument<string>("name") { Description = "Node name" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until no deployment instance runs on the node any more" };
        var timeout = new Option<string>("--timeout") { Description = "With --wait: give up (exit 1) after this long; 0 waits for ever", DefaultValueFactory = _ => "5m" };
        var drain = new Command("drain", "Cordon a node and move its deployment instances elsewhere, one by one (standalone tasks run to their end)") { name, wait, timeout };
        drain.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var limit = Durations.Parse(parse.GetValue(timeout)!, "--timeout");
            var node = await WithSuggestionAsync(client, parse.GetValue(name)!, () => client.DrainNodeAsync(parse.GetValue(name)!, token), token);
            Console.Out.WriteLine(node.Name);
            if (!parse.GetValue(wait)) return 0;
            await LiveProgress.RunAsync($"{node.Name}: draining",
                steps => DrainWatch.WaitAsync(client, node.Name, limit == TimeSpan.Zero ? null : limit, steps, token));
            Console.Out.WriteLine($"{node.Name}: drained");
            return 0;
        }, ct));

        var removed = new Argument<string>("name") { Description = "Node name" };
        var rm = new Command("rm", "Forget a node that is gone for good (it must be notready, with nothing bound to it)") { removed };
        rm.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(removed)!;
            await WithSuggestionAsync(client, n, async () => { await client.DeleteNodeAsync(n, token); return true; }, token);
            Console.Out.WriteLine(n);
            return 0;
        }, ct));

        return new Command("node", "Cordon, uncordon, drain or remove a node (`chas nodes` lists them)") { cordon, uncordon, drain, rm };
    }

    private static Command Action(string verb, string description, Func<ChasClient, string, CancellationToken, Task<NodeResource>> call)
    {
        var name = new Argument<string>("name") { Description = "Node name" };
        var cmd = new Command(verb, description) { name };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(name)!;
            var node = await WithSuggestionAsync(client, n, () => call(client, n, token), token);
            Console.Out.WriteLine(node.Name);
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>A 404 becomes "no such node 'x' — did you mean 'y'?".</summary>
    private static async Task<T> WithSuggestionAsync<T>(ChasClient client, string name, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            var suggestion = Suggestions.Closest(name, (await client.ListNodesAsync(ct)).Items.Select(n => n.Name));
            throw new CliException(suggestion is null ? $"no such node '{name}'" : $"no such node '{name}' — did you mean '{suggestion}'?");
        }
    }
}
