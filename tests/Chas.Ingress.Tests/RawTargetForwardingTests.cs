using Chas.Ingress.Routing;

namespace Chas.Ingress.Tests;

/// <summary>The raw target goes to the app only when the app reads it as the path the route was chosen on.</summary>
public sealed class RawTargetForwardingTests
{
    [Theory]
    [InlineData("/pkg/%40scope%2Fname?q=a%20b", true)]
    [InlineData("/k/a%252Fb", true)]
    [InlineData("/search?q=..\\x", true)]              // the query is the app's alone
    [InlineData("/search?q=a#b", false)]                 // System.Uri would cut the query at '#'
    [InlineData("/public\\..\\admin", false)]          // System.Uri reads '\' as '/' and climbs out of /public
    [InlineData("/admin/%2e%2e/public/x", false)]       // routed as /public/x, read by the app under /admin
    [InlineData("/public/%5c..%5cadmin", false)]
    [InlineData("/public/../admin", false)]
    [InlineData("/a#b", false)]
    [InlineData("http://evil.example/x", false)]        // absolute form: left to YARP
    [InlineData("*", false)]
    [InlineData("", false)]
    public void Only_targets_the_app_reads_as_routed_are_forwarded_raw(string raw, bool forwarded)
    {
        Assert.Equal(forwarded, RawTargetForwarding.IsSafeToForward(raw));
    }
}
