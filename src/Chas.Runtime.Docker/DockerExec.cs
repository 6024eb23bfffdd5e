using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>
/// Runs a command in a running container through the Engine API's exec endpoints (create, start attached, inspect)
/// and collects its output: what exec probes and <c>chas exec</c> need.
/// </summary>
internal sealed class DockerExec(IExecOperations exec, string endpoint, TimeProvider time)
{
    /// <summary>The most output kept, stdout and stderr together; the rest is read and dropped.</summary>
    public const int MaxOutputBytes = 64 * 1024;

    private const int ReadBufferBytes = 16 * 1024;

    // The exit code is recorded by the engine's event handler, not by the code that ends the output stream, so it can
    // lag the end of the output by a moment. Re-inspecting at this pace is far below any probe period.
    private static readonly TimeSpan ExitCodePollInterval = TimeSpan.FromMilliseconds(10);

    /// <exception cref="RuntimeException">The container is missing or not running, or the engine failed.</exception>
    public async Task<ExecResult> RunAsync(
        string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var output = new CappedOutput(MaxOutputBytes);
        try
        {
            var parameters = new ContainerExecCreateParameters
            {
                AttachStdout = true,
                AttachStderr = true,
                Cmd = [.. command],
            };
            // A missing container answers 404 "No such container", a stopped one 409 "Container … is not running".
            var created = await EngineErrors.CallAsync(endpoint, $"starting a command in container {containerId}",
                () => exec.ExecCreateContainerAsync(containerId, parameters, linked.Token));
            using (var stream = await EngineErrors.CallAsync(endpoint, $"starting a command in container {containerId}",
                () => exec.StartAndAttachContainerExecAsync(created.ID, tty: false, linked.Token)))
            {
                await ReadToEndAsync(stream, output, containerId, linked.Token);
            }

            var exitCode = await WaitForExitCodeAsync(created.ID, containerId, linked.Token);
            return new ExecResult(exitCode, output.ToText(), TimedOut: false);
        }
        catch (Exception e) when (e is OperationCanceledException or RuntimeException
            && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A RuntimeException here is a request cut off by the deadline (the socket closed under it), not a failure.
            // Only the reading stops here: the process itself may keep running in the container. The Engine API has
            // no endpoint that signals or kills an exec'd process, so it ends on its own or with the container.
            return new ExecResult(-1, output.ToText(), TimedOut: true);
        }
    }

    private async Task ReadToEndAsync(MultiplexedStream stream, CappedOutput output, string containerId, CancellationToken cancellationToken)
    {
        // A read blocked on the socket does not always observe the token; closing the stream always ends it.
        await using var closeOnCancel = cancellationToken.Register(stream.Dispose);
        var buffer = new byte[ReadBufferBytes];
        while (true)
        {
            MultiplexedStream.ReadResult read;
            try
            {
                read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                throw new OperationCanceledException("Reading exec output was cancelled.", e, cancellationToken);
            }
            catch (Exception e) when (EngineErrors.IsUnreachable(e) || e is ObjectDisposedException)
            {
                throw new RuntimeException(
                    $"running a command in container {containerId}: the output stream broke: {e.Message}", e);
            }

            if (read.EOF)
            {
                return;
            }

            // Keep reading past the cap: a process blocked on a full pipe would never finish.
            output.Append(buffer.AsSpan(0, read.Count));
        }
    }

    private async Task<int> WaitForExitCodeAsync(string execId, string containerId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var inspected = await EngineErrors.CallAsync(endpoint, $"inspecting a command in container {containerId}",
                () => exec.InspectContainerExecAsync(execId, cancellationToken));
            if (!inspected.Running)
            {
                return (int)inspected.ExitCode;
            }

            await Task.Delay(ExitCodePollInterval, time, cancellationToken);
        }
    }

    /// <summary>The first <c>capacity</c> bytes of the output, decoded as UTF-8 at the end.</summary>
    private sealed class CappedOutput(int capacity)
    {
        private readonly byte[] _bytes = new byte[capacity];
        private int _count;
        private bool _truncated;

        public void Append(ReadOnlySpan<byte> chunk)
        {
            var kept = Math.Min(chunk.Length, _bytes.Length - _count);
            chunk[..kept].CopyTo(_bytes.AsSpan(_count));
            _count += kept;
            _truncated |= kept < chunk.Length;
        }

        public string ToText()
        {
            // Without flush, a character cut in half by the cap is left out rather than turned into U+FFFD.
            var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
            var bytes = _bytes.AsSpan(0, _count);
            var chars = new char[decoder.GetCharCount(bytes, flush: !_truncated)];
            var written = decoder.GetChars(bytes, chars, flush: !_truncated);
            return new string(chars, 0, written);
        }
    }
}
