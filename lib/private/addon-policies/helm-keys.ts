/**
 * Where each add-on's Helm chart keeps the values of the ServiceAccount that the preset is for
 * (`create`, `name`, `annotations` below that path), by the preset's `addonName`. Absent where
 * the chart has no such values (the CloudWatch Observability chart's agent service account is
 * made by its operator).
 */
export const HELM_SERVICE_ACCOUNT_KEYS: { readonly [addonName: string]: string } = {
  'aws-ebs-csi-driver': 'controller.serviceAccount', // kubernetes-sigs/aws-ebs-csi-driver charts/aws-ebs-csi-driver
  'aws-efs-csi-driver': 'controller.serviceAccount', // kubernetes-sigs/aws-efs-csi-driver charts/aws-efs-csi-driver
  'vpc-cni': 'serviceAccount', // aws/eks-charts aws-vpc-cni
  'aws-load-balancer-controller': 'serviceAccount', // aws/eks-charts aws-load-balancer-controller
  'external-dns': 'serviceAccount', // kubernetes-sigs/external-dns charts/external-dns
  'cert-manager': 'serviceAccount', // jetstack cert-manager
  'cluster-autoscaler': 'rbac.serviceAccount', // kubernetes/autoscaler charts/cluster-autoscaler
  'karpenter': 'serviceAccount', // oci://public.ecr.aws/karpenter/karpenter
  'external-secrets': 'serviceAccount', // external-secrets/external-secrets
  'velero': 'serviceAccount.server', // vmware-tanzu/helm-charts velero
  'aws-mountpoint-s3-csi-driver': 'node.serviceAccount', // awslabs/mountpoint-s3-csi-driver charts/aws-mountpoint-s3-csi-driver
  'aws-fsx-csi-driver': 'controller.serviceAccount', // kubernetes-sigs/aws-fsx-csi-driver charts/aws-fsx-csi-driver
  'aws-node-termination-handler': 'serviceAccount', // aws/eks-charts aws-node-termination-handler
  'amazon-managed-prometheus': 'serviceAccounts.server', // prometheus-community/prometheus (remote write to AMP)
};
