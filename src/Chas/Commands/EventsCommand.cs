using System.CommandLine;
using System.Net;
using System.Text.Json;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas events [NAME] [-w]`: what happened to tasks, nodes and deployments, oldest first.</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "Only this object's events (a deployment's include its instances')", Arity = ArgumentArity.ZeroOrOne };
        var watch = new Option<bool>("--watch", "-w") { Description = "Keep printing new events (Ctrl-C to leave)" };
        var kind = new Option<string?>("--kind") { Description = "Only events about a task, node or deployment" };
        kind.AcceptOnlyFromAmong(EventKinds.Task, EventKinds.Node, EventKinds.Deployment);
        var output = OutputFormat.CreateOption();
        var ns = NamespaceOption.Create();
        var all = NamespaceOption.CreateAll();
        var cmd = new Command("events", "Show events: scheduling, image pulls, starts, readiness, restarts, node loss") { name, watch, kind, output, ns, all };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, all, async (client, token) =>
        {
            var view = new EventView(parse.GetValue(name), parse.GetValue(kind), json: OutputFormat.IsStructured(parse.GetValue(output)), showNamespace: client.Namespace is null);
            var list = await client.ListEventsAsync(view.Name, view.Kind, token);
            if (!parse.GetValue(watch))
            {
                if (view.Json) OutputFormat.Write(parse.GetValue(output), list.Items);
                else if (list.Items.Count == 0) Console.Error.WriteLine("no events");
                else TableWriter.Write(Console.Out, view.Headers, list.Items.Select(view.Row));
                return 0;
            }
            view.WriteHeader();
            foreach (var ev in list.Items) view.WriteLine(ev);
            await FollowAsync(client, view, list.Revision, token);
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>Prints each new or repeated event until cancelled, resuming after a broken stream and listing again after a 410.</summary>
    private static async Task FollowAsync(ChasClient client, EventView view, long since, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in client.WatchEventsAsync(since, ct))
                {
                    since = Math.Max(since, change.Revision);
                    delay = TimeSpan.FromMilliseconds(200);
                    if (change.Type is WatchEventTypes.Added or WatchEventTypes.Modified && change.Object is { } ev && view.Matches(ev)) view.WriteLine(ev);
                }
            }
            catch (ChasApiException ex) when (ex.Status == HttpStatusCode.Gone)
            {
                // Too far behind for the server's history: what changed meanwhile comes from a fresh list.
                var list = await client.ListEventsAsync(view.Name, view.Kind, ct);
                foreach (var ev in list.Items.Where(e => e.ResourceVersion > since)) view.WriteLine(ev);
                since = list.Revision;
                continue;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                // The server restarted or the connection dropped: resume where we were.
            }
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
    }

    /// <summary>The object's last events under an "Events:" heading, as kubectl describe ends; nothing when there are none or the server has no events API.</summary>
    internal static async Task WriteRecentAsync(ChasClient client, string name, CancellationToken ct, int count = 10)
    {
        IReadOnlyList<EventResource> items;
        try
        {
            items = (await client.ListEventsAsync(name, ct: ct)).Items;
        }
        catch (ChasApiException)
        {
            return;
        }
        if (items.Count == 0) return;
        Console.Out.WriteLine();
        Console.Out.WriteLine("Events:");
        TableWriter.Write(Console.Out, ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
            items.TakeLast(count).Select(ev => (IReadOnlyList<string>)[LastSeen(ev, DateTimeOffset.UtcNow), ev.Type, ev.Reason, ObjectOf(ev), ev.Message]));
    }

    /// <summary>"5s", or "5s (x3 over 2m)" for a folded repeat.</summary>
    internal static string LastSeen(EventResource ev, DateTimeOffset now) =>
        ev.Count <= 1 ? Durations.Humanize(now - ev.Time)
            : $"{Durations.Humanize(now - ev.Time)} (x{ev.Count} over {Durations.Humanize(ev.Time - ev.FirstTime)})";

    internal static string ObjectOf(EventResource ev) => $"{ev.Kind}/{ev.Name}";

    private sealed class EventView(string? name, string? kind, bool json, bool showNamespace)
    {
        public string? Name { get; } = name;
        public string? Kind { get; } = kind;
        public bool Json { get; } = json;

        public IReadOnlyList<string> Headers => showNamespace
            ? ["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
            : ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];

        public string[] Row(EventResource ev)
        {
            string[] row = [LastSeen(ev, DateTimeOffset.UtcNow), ev.Type, ev.Reason, ObjectOf(ev), ev.Message];
            return showNamespace ? [ev.Namespace ?? "-", .. row] : row;
        }

        public bool Matches(EventResource ev) => (Kind is null || ev.Kind == Kind) && (Name is null || ev.Name == Name || ev.Deployment == Name);

        // Streaming rows cannot be aligned on what comes later: fixed widths, as kubectl get -w does.
        private static readonly int[] Widths = [20, 8, 17, 40];

        public void WriteHeader()
        {
            if (!Json) Console.Out.WriteLine(Format(Headers));
        }

        public void WriteLine(EventResource ev) =>
            Console.Out.WriteLine(Json ? JsonSerializer.Serialize(ev, ChasJsonContext.Default.EventResource) : Format(Row(ev)));

        private string Format(IReadOnlyList<string> cells)
        {
            var widths = showNamespace ? [16, .. Widths] : Widths;
            return string.Join("  ", cells.Select((cell, i) => i < widths.Length ? cell.PadRight(widths[i]) : cell)).TrimEnd();
        }
    }
}
