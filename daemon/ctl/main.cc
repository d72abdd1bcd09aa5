// amparoctl: placeholder until the ctl layer lands.
int main() { return 0; }
