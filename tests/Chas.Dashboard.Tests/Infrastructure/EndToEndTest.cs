using Chas.Testing.Processes;

namespace Chas.Dashboard.Tests;

/// <summary>Base of the page tests that need real `chas` processes: the processes of <see cref="ProcessTest"/>, their output in xunit's test output.</summary>
public abstract class EndToEndTest(ITestOutputHelper output) : ProcessTest(output.WriteLine), IAsyncLifetime
{
    protected ITestOutputHelper Output { get; } = output;
}
