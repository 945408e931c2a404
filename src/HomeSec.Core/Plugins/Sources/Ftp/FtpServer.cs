using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>Accepts control connections on one port, one task per connection, up to the connection limit.</summary>
internal sealed class FtpServer(FtpSourceOptions options, IFtpUploadTarget uploads, ILogger logger)
{
    private const int MaxLineBytes = 4096;

    private readonly FtpPaths _paths = new(options.Root);
    private int _connections;

    public IPEndPoint? ListeningOn { get; private set; }

    /// <summary>Binds the port (so a bad port fails here) and serves until cancelled.</summary>
    public async Task RunAsync(Action onListening, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Parse(options.Host), options.Port));
        listener.Listen(64);
        ListeningOn = (IPEndPoint)listener.LocalEndPoint!;
        logger.LogInformation("FTP source listening on {Endpoint}, root {Root}", ListeningOn, options.Root);
        onListening();
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(cancellationToken);
                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(ServeAsync(client, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            ListeningOn = null;
            await Task.WhenAll(sessions);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var control = new FtpControlChannel(client, MaxLineBytes);
        try
        {
            if (Interlocked.Increment(ref _connections) > options.MaxConnections)
            {
                logger.LogWarning("FTP: refused {Peer}, already {Limit} connections", client.RemoteEndPoint, options.MaxConnections);
                await control.ReplyAsync(421, "Too many connections, try again later", cancellationToken);
                return;
            }

            await using var session = new FtpSession(control, options, _paths, uploads, logger);
            await session.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) // a client's misbehaviour must never take the listener (or the daemon) down
        {
            logger.LogDebug(ex, "FTP: connection {Peer} ended with an error", client.RemoteEndPoint);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
            await control.DisposeAsync();
        }
    }
}
