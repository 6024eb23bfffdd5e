using Chas.Testing.Processes;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>Base of every test class: the processes of <see cref="ProcessTest"/>, their output in xunit's test output.</summary>
public abstract class EndToEndTest(ITestOutputHelper output) : ProcessTest(output.WriteLine), IAsyncLifetime
{
    protected ITestOutputHelper Output { get; } = output;
}
