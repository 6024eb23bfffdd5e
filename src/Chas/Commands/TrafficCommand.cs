using System.CommandLine;
using System.Globalization;
using Chas.Cli;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>
/// `chas traffic [NAME]`: requests, rate, status classes and latency per exposed deployment, as the
/// ingresses counted them (summed over every ingress that reported in the last 30 s).
/// </summary>
internal static class TrafficCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "One service (deployment): also its requests per instance", Arity = ArgumentArity.ZeroOrOne };
        var output = OutputFormat.CreateOption();
        var ns = NamespaceOption.Create();
        var allNamespaces = NamespaceOption.CreateAll();
        var cmd = new Command("traffic", "Requests per second, status codes and latency of each exposed deployment, from the ingresses")
            { name, output, ns, allNamespaces };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, allNamespaces, async (client, token) =>
        {
            var format = parse.GetValue(output);
            if (parse.GetValue(name) is { } service)
            {
                var route = await client.GetServiceTrafficAsync(service, ct: token);
                if (OutputFormat.IsStructured(format))
                {
                    OutputFormat.Write(format, route);
                    return 0;
                }
                WriteRoutes([route], format == "wide");
                if (route.Backends.Count > 0)
                {
                    Console.Out.WriteLine();
                    TableWriter.Write(Console.Out, ["ENDPOINT", "INSTANCE", "REQUESTS"], route.Backends.Select(b => (IReadOnlyList<string>)
                        [b.Endpoint, b.Instance ?? "-", b.Requests.ToString(CultureInfo.InvariantCulture)]));
                }
                return 0;
            }
            var view = await client.GetTrafficAsync(token);
            if (OutputFormat.IsStructured(format))
            {
                OutputFormat.Write(format, view);
                return 0;
            }
            if (view.Ingresses.Count == 0) Console.Error.WriteLine("warning: no ingress has reported traffic in the last 30 s");
            WriteRoutes(view.Routes, format == "wide");
            return 0;
        }, ct));
        return cmd;
    }

    private static void WriteRoutes(IReadOnlyList<RouteTraffic> routes, bool wide)
    {
        IReadOnlyList<string> headers = ["NAMESPACE", "NAME", "REQUESTS", "RPS", "2XX", "3XX", "4XX", "5XX", "P50", "P90", "P99"];
        TableWriter.Write(Console.Out, wide ? [.. headers, "HOSTS"] : headers, routes.Select(r => (IReadOnlyList<string>)
        [
            r.Namespace, r.Service, Count(r.Requests), r.RequestsPerSecond.ToString("0.##", CultureInfo.InvariantCulture),
            Count(r.Status.Success), Count(r.Status.Redirection), Count(r.Status.ClientError), Count(r.Status.ServerError),
            Latency(r.P50Seconds, r.Requests), Latency(r.P90Seconds, r.Requests), Latency(r.P99Seconds, r.Requests),
            .. wide ? [r.Hosts.Count == 0 ? "-" : string.Join(",", r.Hosts)] : Array.Empty<string>(),
        ]));
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"12.5ms", "1.25s"; "-" without requests.</summary>
    private static string Latency(double seconds, long requests) =>
        requests == 0 || seconds <= 0 ? "-"
        : seconds < 1 ? (seconds * 1000).ToString("0.#", CultureInfo.InvariantCulture) + "ms"
        : seconds.ToString("0.##", CultureInfo.InvariantCulture) + "s";
}
