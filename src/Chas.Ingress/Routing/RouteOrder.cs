namespace Chas.Ingress.Routing;

/// <summary>
/// Which endpoint wins when several match a request (lower first). A deployment's host beats the
/// ingress's own endpoints (an app may serve its own /metrics), which beat the gateway, which beats
/// a deployment that claims every host ("*"); the 404 fallback comes last.
/// </summary>
internal static class RouteOrder
{
    public const int Deployment = -10;
    public const int Gateway = 10;
    public const int AnyHost = 20;
}
