{
  description = "todo-app development and operations shell: Node 24, Helm, kubectl, Dapr CLI, doctl, psql, jq";

  # A release branch, locked to one revision by flake.lock: `nix develop` gives everyone the same tools until
  # someone runs `nix flake update` and commits the new lock.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [
            nodejs_24 # engines >=24, .nvmrc, the node:24 images
            kubernetes-helm
            kubectl
            dapr-cli
            doctl
            postgresql # psql and pg_isready (docs/deploy-doks.md checks Neon with psql)
            jq
            curl
            openssl
            dnsutils # dig, for the DNS step of docs/deploy-doks.md
          ];
          shellHook = ''
            echo "todo-app dev shell: node $(node --version), $(helm version --short), dapr $(dapr version 2>/dev/null | head -n1)"
          '';
        };
      });
    };
}
