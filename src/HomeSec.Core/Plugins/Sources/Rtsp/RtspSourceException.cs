namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>The source gave up (e.g. <c>max_attempts</c> failed connections). The message is already redacted; no inner exception, which could carry a URL.</summary>
public sealed class RtspSourceException(string redactedMessage) : Exception(redactedMessage);
