namespace HomeSec.Core.Alerts;

/// <summary>What the vision-language model said about a clip.</summary>
public sealed record AnalysisResult(
    RiskLevel RiskLevel,
    string ActivityType,
    string Summary,
    bool RequiresReview = false);
