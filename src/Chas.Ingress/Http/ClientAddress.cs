using System.Net;
using Microsoft.AspNetCore.Http;

namespace Chas.Ingress.Http;

/// <summary>The client's IP address as the ingress sees the connection (IPv4 written as IPv4 even on a dual-stack socket).</summary>
internal static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
    };
}
