namespace Chas.Ingress.Routing;

/// <summary>
/// Turns the hosts and path prefixes of an <see cref="Contracts.IngressSpec"/> into YARP match values,
/// refusing what would make the whole route table invalid (one bad host must not stop every update).
/// </summary>
internal static class RouteMatches
{
    /// <summary>The prefix and everything below it (the prefix itself included).</summary>
    public static string PathPattern(string prefix) => prefix == "/" ? "/{**rest}" : prefix + "/{**rest}";
}
