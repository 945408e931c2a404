using System.Security.Cryptography.X509Certificates;
using HomeSec.Core.Alerts;
using HomeSec.Core.Alerts.Gate;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace HomeSec.Core.Plugins.Notifiers.Mqtt;

/// <summary>
/// Publishes each alert as the DESIGN.md JSON contract on <c>topic_template</c>. One long-lived
/// connection, kept by a background loop that reconnects with exponential backoff; on every connect it
/// publishes <c>online</c> (retained) on the availability topic, whose last will is <c>offline</c>, and the
/// Home Assistant discovery messages when enabled. A send while disconnected fails at once with
/// <see cref="MqttNotConnectedException"/>, so the pipeline retries and then keeps the alert in its outbox.
/// </summary>
public sealed class MqttNotifier : INotifier, INotifierConnection, IAsyncDisposable
{
    private readonly MqttNotifierOptions _options;
    private readonly IReadOnlyList<string> _cameraNames;
    private readonly Alerts.Gate.AlertGate? _gate;
    private readonly ILogger<MqttNotifier> _logger;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _connectionLoop;
    private volatile string? _lastError;
    private volatile bool _ready;
    private int _disposed;

    /// <param name="gate">The alert gate: with it, the notifier publishes the armed mode and takes mode commands.</param>
    public MqttNotifier(MqttNotifierOptions options, IReadOnlyList<string> cameraNames, ILogger<MqttNotifier> logger, Alerts.Gate.AlertGate? gate = null)
    {
        _options = options;
        _cameraNames = cameraNames;
        _gate = gate;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _clientOptions = BuildClientOptions(options);
        if (gate is not null)
        {
            _client.ApplicationMessageReceivedAsync += OnMessageAsync;
            gate.ModeChanged += OnModeChanged;
        }

        _connectionLoop = Task.Run(() => KeepConnectedAsync(_stopping.Token));
    }

    /// <summary>Connected, with the availability (and discovery) messages published.</summary>
    public bool IsConnected => _ready && _client.IsConnected;

    /// <summary>Why the last connection attempt failed (never contains the password); null when none failed.</summary>
    public string? LastError => _lastError;

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        // Right after start the first connect may still be under way: wait for it, but only for that one.
        await _firstAttempt.Task.WaitAsync(cancellationToken);
        if (!IsConnected)
        {
            throw new MqttNotConnectedException(
                $"MQTT broker {_options.Endpoint} is not connected{(_lastError is { } error ? $": {error}" : "")}; reconnecting in the background");
        }

        await PublishSnapshotAsync(alert, cancellationToken);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_options.TopicFor(alert.CameraName))
            .WithPayload(AlertJson.Serialize(alert))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)_options.Qos)
            .WithRetainFlag(_options.Retain)
            .Build();
        MqttClientPublishResult result;
        try
        {
            result = await _client.PublishAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new MqttNotConnectedException($"publishing to MQTT broker {_options.Endpoint} failed: {ex.Message}", ex);
        }

        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"MQTT broker {_options.Endpoint} did not accept the alert: {result.ReasonCode} {result.ReasonString}".TrimEnd());
        }
    }

    private async Task KeepConnectedAsync(CancellationToken stopping)
    {
        var backoff = _options.MinReconnectBackoff;
        while (!stopping.IsCancellationRequested)
        {
            var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task OnDisconnected(MqttClientDisconnectedEventArgs args)
            {
                _ready = false;
                if (args.ClientWasConnected)
                {
                    _lastError = $"connection lost ({args.Reason})";
                }

                disconnected.TrySetResult();
                return Task.CompletedTask;
            }

            _client.DisconnectedAsync += OnDisconnected;
            try
            {
                var connected = await _client.ConnectAsync(_clientOptions, stopping);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new ConnectRefusedException(connected.ResultCode.ToString());
                }

                await AnnounceAsync(stopping);
                _ready = true;
                _lastError = null;
                backoff = _options.MinReconnectBackoff;
                _logger.LogInformation("MQTT connected to {Endpoint} as {ClientId}", _options.Endpoint, _options.ClientId);
                _firstAttempt.TrySetResult();
                await disconnected.Task.WaitAsync(stopping);
                _logger.LogWarning("MQTT connection to {Endpoint} lost; reconnecting", _options.Endpoint);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _ready = false;
                _lastError = Describe(ex);
                _logger.LogWarning("MQTT broker {Endpoint}: {Error}; next attempt in {Backoff:0.#} s", _options.Endpoint, _lastError, backoff.TotalSeconds);
                _firstAttempt.TrySetResult();
            }
            finally
            {
                _client.DisconnectedAsync -= OnDisconnected;
            }

            try
            {
                if (_client.IsConnected)
                {
                    // Announcing failed half-way: start again from a clean connection.
                    await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
                }

                await Task.Delay(backoff, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogDebug(ex, "MQTT disconnect after a failed announce failed");
            }

            backoff = TimeSpan.FromTicks(Math.Min(_options.MaxReconnectBackoff.Ticks, backoff.Ticks * 2));
        }
    }

    /// <summary>Availability first (so Home Assistant marks the entities available), then discovery, then the mode and its command topic.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        await PublishRetainedAsync(_options.AvailabilityTopic, MqttNotifierOptions.Online, cancellationToken);
        if (_options.HomeAssistant.Discovery)
        {
            var messages = HomeAssistantDiscovery.Messages(_options, _cameraNames);
            foreach (var message in _gate is null ? messages : messages.Append(HomeAssistantDiscovery.ModeSelect(_options)))
            {
                await PublishRetainedAsync(message.Topic, message.Payload, cancellationToken);
            }
        }

        if (_gate is not null)
        {
            await PublishRetainedAsync(_options.ModeTopic, _gate.Mode.ToWireName(), cancellationToken);
            await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(_options.ModeCommandTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
        }
    }

    /// <summary>
    /// The alert's snapshot (JPEG bytes, retained) on the camera's image topic before the alert itself, so a subscriber
    /// that reacts to the alert finds the picture. Best-effort: a snapshot that cannot be read is skipped.
    /// </summary>
    private async Task PublishSnapshotAsync(Alert alert, CancellationToken cancellationToken)
    {
        if (alert.SnapshotPath is not { } path || !File.Exists(path))
        {
            return;
        }

        byte[] jpeg;
        try
        {
            jpeg = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("MQTT: the snapshot of clip {ClipId} could not be read ({Error}); the alert goes without it", alert.ClipId, ex.Message);
            return;
        }

        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(_options.SnapshotTopicFor(alert.CameraName))
            .WithPayload(jpeg)
            .WithContentType("image/jpeg")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build(), cancellationToken);
    }

    /// <summary>A mode command (untrusted: anything may publish there): a known mode is set, anything else is logged and ignored.</summary>
    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs received)
    {
        if (received.ApplicationMessage.Topic != _options.ModeCommandTopic || _gate is null)
        {
            return Task.CompletedTask;
        }

        var payload = received.ApplicationMessage.ConvertPayloadToString() ?? "";
        if (!Alerts.Gate.ArmedModes.TryParse(payload, out var mode))
        {
            _logger.LogWarning("MQTT: ignored a mode command on {Topic}: not one of home, away, off ({Length} bytes)", _options.ModeCommandTopic, payload.Length);
            return Task.CompletedTask;
        }

        try
        {
            _gate.SetMode(mode);
            _logger.LogInformation("Armed mode set to {Mode} over MQTT", mode.ToWireName());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError("Armed mode {Mode} from MQTT could not be saved ({Error}); it is unchanged", mode.ToWireName(), ex.Message);
        }

        return Task.CompletedTask;
    }

    /// <summary>Publishes the new mode (retained); when disconnected, the next connect publishes it.</summary>
    private void OnModeChanged(Alerts.Gate.ArmedMode mode)
    {
        if (!IsConnected)
        {
            return;
        }

        _ = PublishRetainedAsync(_options.ModeTopic, mode.ToWireName(), _stopping.Token).ContinueWith(
            t => _logger.LogDebug(t.Exception, "MQTT: publishing the mode failed; it is published again on the next connect"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private Task PublishRetainedAsync(string topic, string payload, CancellationToken cancellationToken) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build(), cancellationToken);

    /// <summary>The reason of a failed connect, naming the broker and user but never the password.</summary>
    private string Describe(Exception ex)
    {
        var user = _options.Auth is { } auth ? $" (user '{auth.Username}')" : "";
        var reason = ex switch
        {
            ConnectRefusedException refused => $"refused the connection: {refused.Message}{user}",
            MQTTnet.Adapter.MqttConnectingFailedException => $"refused the connection: {ex.Message}{user}",
            _ => ex.InnerException is { } inner && ex.Message.Contains("see inner", StringComparison.OrdinalIgnoreCase) ? $"{ex.Message.TrimEnd('.')}: {inner.Message}" : ex.Message,
        };
        return _options.Auth is { Password: var password } && password.Length > 0 ? reason.Replace(password, "***", StringComparison.Ordinal) : reason;
    }

    private static MqttClientOptions BuildClientOptions(MqttNotifierOptions options)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithCleanStart()
            .WithWillTopic(options.AvailabilityTopic)
            .WithWillPayload(MqttNotifierOptions.Offline)
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (options.Auth is { } auth)
        {
            builder.WithCredentials(auth.Username, auth.Password);
        }

        if (options.Tls.Enabled)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(options.Host);
                if (options.Tls.AllowUntrusted)
                {
                    tls.WithAllowUntrustedCertificates().WithIgnoreCertificateChainErrors().WithCertificateValidationHandler(_ => true);
                }
                else if (options.Tls.CaFile is { } caFile)
                {
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPemFile(caFile);
                    tls.WithTrustChain(chain);
                }
            });
        }

        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_gate is not null)
        {
            _gate.ModeChanged -= OnModeChanged;
        }

        await _stopping.CancelAsync();
        try
        {
            await _connectionLoop;
        }
        catch (OperationCanceledException)
        {
        }

        if (_client.IsConnected)
        {
            try
            {
                // A clean disconnect suppresses the last will, so say offline ourselves.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await PublishRetainedAsync(_options.AvailabilityTopic, MqttNotifierOptions.Offline, timeout.Token);
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogDebug(ex, "MQTT disconnect failed");
            }
        }

        _client.Dispose();
        _stopping.Dispose();
    }

    private sealed class ConnectRefusedException(string resultCode) : Exception(resultCode);
}

/// <summary>The broker is not reachable right now; the notifier is reconnecting in the background.</summary>
public sealed class MqttNotConnectedException(string message, Exception? innerException = null) : Exception(message, innerException);
