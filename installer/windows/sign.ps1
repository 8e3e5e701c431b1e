# Sign files with signtool (SHA-256, RFC 3161 timestamp, so a signature outlives its
# certificate). The certificate comes from the environment, never from the repository:
#   CASEWORK_SIGN_PFX_BASE64 + CASEWORK_SIGN_PASSWORD   a .pfx file (CI secret), or
#   CASEWORK_SIGN_THUMBPRINT                            a certificate in the machine's store
#   CASEWORK_TIMESTAMP_URL                              default http://timestamp.digicert.com
#   powershell -File installer\windows\sign.ps1 FILE [FILE ...]
param([Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)] [string[]] $Files)
$ErrorActionPreference = "Stop"
$kits = "${env:ProgramFiles(x86)}\Windows Kits\10\bin"
$signtool = Get-ChildItem -Path $kits -Recurse -Filter signtool.exe |
  Where-Object { $_.FullName -match "\\x64\\" } | Sort-Object FullName -Descending |
  Select-Object -First 1
if (-not $signtool) { throw "signtool.exe not found (install the Windows SDK)" }
$timestamp = if ($env:CASEWORK_TIMESTAMP_URL) { $env:CASEWORK_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
$with = @()
if ($env:CASEWORK_SIGN_PFX_BASE64) {
  $pfx = Join-Path ([IO.Path]::GetTempPath()) "casework-sign.pfx"
  [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:CASEWORK_SIGN_PFX_BASE64))
  $with = @("/f", $pfx, "/p", $env:CASEWORK_SIGN_PASSWORD)
} elseif ($env:CASEWORK_SIGN_THUMBPRINT) {
  $with = @("/sha1", $env:CASEWORK_SIGN_THUMBPRINT, "/sm")
} else {
  throw "no signing certificate: set CASEWORK_SIGN_PFX_BASE64 or CASEWORK_SIGN_THUMBPRINT"
}
try {
  & $signtool.FullName sign /fd SHA256 /tr $timestamp /td SHA256 /d casework @with @Files
  if ($LASTEXITCODE) { throw "signtool sign failed" }
  & $signtool.FullName verify /pa /tw @Files
  if ($LASTEXITCODE) { throw "signtool verify failed" }
} finally {
  if ($pfx -and (Test-Path $pfx)) { Remove-Item $pfx -Force }
}
