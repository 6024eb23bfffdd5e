using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>
/// An attached exec (<see cref="IExecSession"/>) over the Engine API: exec create, start with the connection hijacked
/// (one raw stream with a TTY, stdout and stderr multiplexed without), resize, and the exit code from exec inspect.
/// </summary>
internal sealed class DockerExecSession : IExecSession
{
    // The exit code is recorded by the engine's event handler, not by the code that ends the output stream, so it can
    // lag the end of the output by a moment (see DockerExec).
    private static readonly TimeSpan ExitCodePollInterval = TimeSpan.FromMilliseconds(10);

    private readonly IExecOperations _exec;
    private readonly string _endpoint;
    private readonly string _containerId;
    private readonly string _execId;
    private readonly MultiplexedStream _stream;
    private readonly ExecRequest _request;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _inputClosed;

    private DockerExecSession(IExecOperations exec, string endpoint, string containerId, string execId, MultiplexedStream stream,
        ExecRequest request, TimeProvider time)
    {
        _exec = exec;
        _endpoint = endpoint;
        _containerId = containerId;
        _execId = execId;
        _stream = stream;
        _request = request;
        _time = time;
    }

    public static async Task<IExecSession> StartAsync(IExecOperations exec, string endpoint, TimeProvider time,
        string containerId, ExecRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command.Count == 0) throw new ArgumentException("the command is empty", nameof(request));
        var action = $"starting a command in container {containerId}";
        var parameters = new ContainerExecCreateParameters
        {
            AttachStdin = request.Stdin,
            AttachStdout = true,
            AttachStderr = true,
            Tty = request.Tty,
            Cmd = [.. request.Command],
        };
        // A missing container answers 404 "No such container", a stopped one 409 "Container … is not running".
        var created = await EngineErrors.CallAsync(endpoint, action, () => exec.ExecCreateContainerAsync(containerId, parameters, cancellationToken));
        var stream = await EngineErrors.CallAsync(endpoint, action,
            () => exec.StartAndAttachContainerExecAsync(created.ID, request.Tty, cancellationToken));
        return new DockerExecSession(exec, endpoint, containerId, created.ID, stream, request, time);
    }

    public async Task<ExecOutput> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        // A read blocked on the socket does not always observe the token; closing the stream always ends it.
        await using var closeOnCancel = cancellationToken.Register(_stream.Dispose);
        MultiplexedStream.ReadResult read;
        try
        {
            read = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("Reading exec output was cancelled.", e, cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsUnreachable(e) || e is ObjectDisposedException)
        {
            throw new RuntimeException($"running a command in container {_containerId}: the output stream broke: {e.Message}", e);
        }

        if (read.EOF) return new ExecOutput(LogStream.Stdout, 0);
        return new ExecOutput(read.Target == MultiplexedStream.TargetStream.StandardError ? LogStream.Stderr : LogStream.Stdout, read.Count);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        if (!_request.Stdin || input.IsEmpty) return;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_inputClosed) return;
            var bytes = input.ToArray();
            await _stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
        }
        catch (Exception e) when (EngineErrors.IsUnreachable(e) || e is ObjectDisposedException)
        {
            throw new RuntimeException($"running a command in container {_containerId}: the input stream broke: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task CloseInputAsync(CancellationToken cancellationToken)
    {
        if (!_request.Stdin) return;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_inputClosed) return;
            _inputClosed = true;
            // A half-close of the hijacked connection: the engine closes the command's stdin and keeps sending output.
            _stream.CloseWrite();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken)
    {
        if (!_request.Tty || cols <= 0 || rows <= 0) return Task.CompletedTask;
        var parameters = new ContainerResizeParameters { Width = cols, Height = rows };
        return EngineErrors.CallAsync(_endpoint, $"resizing the terminal of a command in container {_containerId}", async () =>
        {
            await _exec.ResizeContainerExecTtyAsync(_execId, parameters, cancellationToken);
            return true;
        });
    }

    public async Task<int> WaitForExitCodeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var inspected = await EngineErrors.CallAsync(_endpoint, $"inspecting a command in container {_containerId}",
                () => _exec.InspectContainerExecAsync(_execId, cancellationToken));
            if (!inspected.Running) return (int)inspected.ExitCode;
            await Task.Delay(ExitCodePollInterval, _time, cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
